"""One search over every kind of item an editor may see (the sidebar's search box,
``/admin/search/``): codes, titles and texts by substring, Chinese included, grouped
by kind, each item with its state. Each kind is read through its permission policy,
the same rule as its listing, so a branch editor never finds a sibling branch's items."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.search import SearchArea, admin_search_areas
from wagtail.permissions import policy_registry
from wagtail.search import index

from content import kinds

PER_KIND = 10  # items shown per kind; the kind's own listing has the rest
MAX_QUERY_LENGTH = 100

LIVE, CHANGED, DRAFT = _("已发布"), _("已发布,有未发布的修改"), _("草稿")


@dataclass(frozen=True)
class Found:
    label: str
    code: str
    status: str
    url: str


@dataclass(frozen=True)
class KindResults:
    label: str
    items: list
    more: bool  # more than PER_KIND matched
    listing_url: str


def status_of(item):
    """草稿 / 已发布 / 已发布,有未发布的修改, from the item's draft state."""
    if not getattr(item, "live", True):
        return DRAFT
    return CHANGED if getattr(item, "has_unpublished_changes", False) else LIVE


def text_fields(model):
    """The model's own text columns among the ``search_fields`` of the model and of
    its admin listing."""
    declared = [f.field_name for f in getattr(model, "search_fields", []) if isinstance(f, index.SearchField)]
    declared += getattr(model.snippet_viewset, "search_fields", None) or []
    names = []
    for name in dict.fromkeys(declared):
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:  # a method or a relation's field: not a column to match
            continue
        if isinstance(column, (models.CharField, models.TextField)):
            names.append(name)
    return names


def searched_models():
    """(label, model) of each kind that has an admin listing, in the kinds' order."""
    found = []
    for kind in kinds.KINDS:
        try:
            model = kind.model
        except LookupError:
            continue
        viewset = getattr(model, "snippet_viewset", None)
        if viewset is not None:
            # The name of the kind in the admin menu, where its listing is.
            found.append((viewset.menu_label or model._meta.verbose_name_plural, model))
    return found


def search_kind(user, model, query):
    """The items of ``model`` ``user`` may see whose texts contain ``query``: one query."""
    fields = text_fields(model)
    if not fields:
        return [], False
    policy = policy_registry.get_by_type(model)
    matching = Q()
    for name in fields:
        matching |= Q(**{f"{name}__icontains": query})
    rows = list(policy.instances_user_has_any_permission_for(user, ["view", "change"]).filter(matching)[: PER_KIND + 1])
    return rows[:PER_KIND], len(rows) > PER_KIND


def search(user, query):
    """[KindResults] of every kind with a match, for ``user``."""
    results = []
    for label, model in searched_models():
        items, more = search_kind(user, model, query)
        if not items:
            continue
        viewset = model.snippet_viewset
        results.append(KindResults(
            label=label,
            items=[Found(str(item), kinds.item_code(item) if kinds.kind_of(item) else "", status_of(item),
                         _edit_url(viewset, item)) for item in items],
            more=more,
            listing_url=reverse(viewset.get_url_name("list")),
        ))
    return results


def _edit_url(viewset, item):
    try:
        return reverse(viewset.get_url_name("edit"), args=[item.pk])
    except NoReverseMatch:
        return ""


def search_view(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = search(request.user, query) if query else []
    return TemplateResponse(request, "cms/search.html", {
        "page_title": _("搜索"),
        "header_icon": "search",
        "query": query,
        "results": results,
        "search_areas": admin_search_areas.render_html(request, current="everything"),
    })


class EverythingSearchArea(SearchArea):
    """First of the search areas, so the sidebar's search box lands here."""

    def __init__(self):
        super().__init__(_("全部内容"), reverse("cms_search"), name="everything", icon_name="search", order=0)
