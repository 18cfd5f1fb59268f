"""Which admin pages the benchmark asks, for which users: found from the registries
(the URL resolver's admin list views, each index view's own filters and search),
not from a hand list, so a viewset added later is measured without touching this."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse

from content import roles
from content.models import EditorProfile, Organisation
from content.permissions import editable, scope_for_user, visible

PASSWORD = "bench-admin"
# A search term per model that matches part of the data (Chinese substrings where the
# text is Chinese: the admin's search is a substring match, see docs/admin.md).
SEARCH = {"smstemplate": "流量", "article": "5G", "package": "套餐", "business": "业务", "autoreply": "套餐",
          "templatemessage": "通知", "menu": "菜单", "organisation": "分公司", "channelaccount": "wx", "brand": "全球",
          "messagelog": "流量", "send": "notice_01", "release": "上线", "broadcast": "流量"}
# List views of the admin, by URL name: snippets' lists, Wagtail's indexes and reports,
# the publishing dashboard and the home page (its panels count jobs).
LIST_SUFFIXES = (":list", ":index", ":task_index")
LIST_PREFIXES = ("wagtailadmin_reports:",)
EXTRA = ("wagtailadmin_home", "publishing:dashboard", "publishing:deliveries")
# Lists with no filterset of Wagtail's: their query parameters, {name: value or a callable of the user}.
HAND_FILTERS = {
    "publishing:dashboard": ["state", "account", "channel", "kind", "period", "p", "run"],
    "publishing:deliveries": ["state", "account", "period", "p"],
}


def roles_to_measure():
    """(role, organisation, group or None for a superuser) of every role at province SX,
    branch SX-01 and an outlet of it (content/roles.py)."""
    province = Organisation.objects.get(level=Organisation.Level.PROVINCE, parent=None)
    branch = Organisation.objects.filter(level=Organisation.Level.BRANCH).order_by("code").first()
    outlet = Organisation.objects.filter(level=Organisation.Level.OUTLET, parent=branch).order_by("code").first()
    out = [("superuser", province, None), ("province publisher", province, roles.PUBLISHERS),
           ("province editor", province, roles.EDITORS), ("branch publisher", branch, roles.PUBLISHERS),
           ("branch editor", branch, roles.EDITORS)]
    if outlet is not None:
        out.append(("outlet editor", outlet, roles.EDITORS))
    return out


def make_user(role, org, group):
    roles.sync_role_groups()
    name = "bench-" + role.replace(" ", "-")
    user, _ = get_user_model().objects.get_or_create(username=name, defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.is_superuser = group is None
    user.save()
    if group is not None:
        user.groups.set([Group.objects.get(name=group)])
    EditorProfile.objects.update_or_create(user=user, defaults={"organisation": org})
    return get_user_model().objects.get(pk=user.pk)


def _walk(patterns, ns=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, ":".join(x for x in (ns, pattern.namespace) if x) or None)
        elif pattern.name and not pattern.pattern.converters:
            yield (f"{ns}:" if ns else "") + pattern.name, pattern


def list_pages():
    """{URL name: view callable} of every admin list page without URL arguments."""
    out = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.endswith(LIST_SUFFIXES) or name.startswith(LIST_PREFIXES) or name in EXTRA:
            url = reverse(name)
            if url.startswith("/admin/") and not url.rstrip("/").endswith("results"):
                out.setdefault(name, pattern.callback)
    return dict(sorted(out.items()))


def _index_view(callback, user, url):
    """The list view of ``callback`` set up for ``user``, or None when it is no class-based view."""
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return None
    request = RequestFactory().get(url)
    request.user = user
    view = view_class(**getattr(callback, "view_initkwargs", {}))
    view.setup(request)
    return view


def _sample(model, user, field):
    """A value of ``field`` the user can see in ``model``'s rows (for an exact-match text filter)."""
    rows = model._default_manager.all()
    if hasattr(model, "organisation_lookup") or "organisation" in [f.name for f in model._meta.fields]:
        rows = visible(rows, scope_for_user(user))
    return rows.order_by().values_list(field, flat=True).exclude(**{field: ""}).first()


def _filter_cells(view, user):
    """(label, params) of one cell per filter of ``view``'s filterset, with a value the user has."""
    try:
        filterset = view.filters
    except Exception:  # noqa: BLE001 - a list without filters
        return []
    if filterset is None:
        return []
    out = []
    for name, field in filterset.form.fields.items():
        value = None
        if isinstance(field, forms.ModelChoiceField):
            first = field.queryset.order_by("pk").first() if field.queryset is not None else None
            value = first.pk if first is not None else None
        elif isinstance(field, forms.ChoiceField):
            values = [c for c, _label in field.choices if c not in ("", None) and not isinstance(_label, (list, tuple))]
            value = values[0] if values else None
        elif isinstance(field, forms.NullBooleanField | forms.BooleanField):
            value = "true"
        elif isinstance(field, forms.CharField) and getattr(view, "model", None) is not None:
            try:
                value = _sample(view.model, user, name)
            except Exception:  # noqa: BLE001 - not a column of the model
                value = None
        if value is not None:
            out.append((f"{name}={value}", {name: value}))
    return out


def _dashboard_values(user):
    from publishing import dashboard

    account = dashboard.visible_accounts(user).values_list("code", flat=True).first() or ""
    # the newest run the user sees: its jobs (a release's pushes, volumes.py)
    run = (dashboard.publications_for(user).exclude(batch__run_key="").order_by("-created_at")
           .values_list("batch__run_key", flat=True).first() or "")
    return {"state": "failed", "account": account, "channel": "wechat", "kind": "article", "period": "24h", "p": 100,
            "run": run}


def _object_pages(user):
    """(label, URL) of the object pages a list leads to: an edit page per snippet model,
    the latest batch and publication of the dashboard, the first release's page."""
    from wagtail.snippets.models import get_snippet_models

    from publishing import dashboard

    out = []
    scope = scope_for_user(user)
    for model in get_snippet_models():
        meta = model._meta
        viewset = model.snippet_viewset
        if not user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
            continue
        if not getattr(viewset, "edit_view_enabled", True) or meta.app_label in ("wechat_callback", "notices"):
            continue
        rows = model._default_manager.all()
        if hasattr(model, "organisation_lookup") or "organisation" in [f.name for f in meta.fields]:
            rows = editable(rows, scope)
        first = rows.order_by("pk").first()
        if first is not None:
            out.append((f"{meta.verbose_name} edit", reverse(viewset.get_url_name("edit"), args=[first.pk])))
    if user.has_perm("publishing.view_publication"):
        latest = dashboard.publications_for(user).order_by("-created_at", "-pk").first()
        if latest is not None:
            out.append(("推送 batch page", reverse("publishing:batch", args=[latest.batch_id])))
            out.append(("推送 publication page", reverse("publishing:publication", args=[latest.pk])))
    from releases.models import Release

    release = visible(Release.objects.all(), scope).order_by("-pk").first()
    if release is not None and (user.has_perm("releases.view_release") or user.has_perm("releases.change_release")):
        out.append(("上线计划 release page", reverse("releases_admin:release", args=[release.pk])))
    return out


def cells(user, client):
    """(label, URL, params) of every page measured for ``user``: each list plain, with
    each of its filters, with a search, with search and the first filter; then the
    object pages. A page the user may not open (not 200 through ``client``) is left out.
    A filter the user sees on a list they may open is measured as it comes (a bad value is an error then)."""
    out = []
    for name, callback in list_pages().items():
        url = reverse(name)
        if client.get(url).status_code != 200:
            continue
        view = _index_view(callback, user, url)
        model = getattr(view, "model", None)
        label = str(model._meta.verbose_name) if model is not None else name.split(":")[-1]
        out.append((f"{label} list", url, {}))
        if name in HAND_FILTERS:
            values = _dashboard_values(user)
            out += [(f"{label} {key}={values[key]}", url, {key: values[key]}) for key in HAND_FILTERS[name]]
            continue
        filters = _filter_cells(view, user) if view is not None else []
        out += [(f"{label} {text}", url, params) for text, params in filters]
        if view is not None and getattr(view, "search_fields", None) or getattr(view, "is_searchable", False):
            term = SEARCH.get(model._meta.model_name if model is not None else "", "1")
            out.append((f"{label} search {term}", url, {"q": term}))
            if filters:
                out.append((f"{label} {filters[0][0]} + search {term}", url, {**filters[0][1], "q": term}))
    out += [(label, url, {}) for label, url in _object_pages(user) if client.get(url).status_code == 200]
    return out
