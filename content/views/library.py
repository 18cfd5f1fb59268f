"""Admin of the material library: articles, what was shared down (read-only) and
local copies that show when their origin changed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permissions import policy_registry

from content.models import Article
from content.permissions import can_edit, can_view, scope_for_user
from content.services.library import make_local_copy, origin_changed
from content.views.columns import OrganisationColumn
from content.views.filters import OrganisationFilterSet
from content.views.forms import ArticleForm
from content.views.scoped import ContentViewSet, OrganisationPanel


class ArticleFilterSet(OrganisationFilterSet):
    class Meta:
        model = Article
        fields = ["organisation", "live"]


class SharingColumn(Column):
    """Own, shared down to us (read-only), or a local copy (and whether its origin moved on)."""

    def get_cell_context_data(self, instance, parent_context):
        request = parent_context.get("request")
        scope = scope_for_user(getattr(request, "user", None))
        if not scope.everything and instance.organisation_id not in scope.editable:
            instance._sharing = _t("上级下发(只读)")
        elif instance.origin_id:
            instance._sharing = _t("本地副本,来源已更新") if origin_changed(instance) else _t("本地副本")
        else:
            instance._sharing = ""
        return super().get_cell_context_data(instance, parent_context)

    def get_value(self, instance):
        return getattr(instance, "_sharing", "")


class OriginPanel(HelpPanel):
    """On a local copy: where it came from and whether the origin changed since."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "content/panels/article_origin.html")
        kwargs.setdefault("heading", _("来源"))
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def is_shown(self):
            return bool(self.instance.pk and self.instance.origin_id)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            origin = self.instance.origin
            context["origin"] = origin
            context["changed"] = origin_changed(self.instance)
            if origin is not None and can_view(self.request.user, origin):
                context["origin_history_url"] = reverse(
                    Article.snippet_viewset.get_url_name("history"), args=[origin.pk]
                )
            return context


@require_POST
def local_copy_view(request, pk):
    """Copy an article shared down to the editor into their organisation, as a draft."""
    policy = policy_registry.get_by_type(Article)
    if not policy.user_has_permission(request.user, "add"):
        raise PermissionDenied
    article = get_object_or_404(Article, pk=pk)
    if not can_view(request.user, article):
        raise Http404
    profile = getattr(request.user, "editor_profile", None)
    if profile is None:
        raise PermissionDenied
    try:
        copy = make_local_copy(article, profile.organisation, request.user)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
        return redirect(Article.snippet_viewset.get_url_name("list"))
    messages.success(request, _t("已建立本地副本 %(code)s") % {"code": copy.code})
    return redirect(Article.snippet_viewset.get_url_name("edit"), copy.pk)


def can_copy_locally(user, article, *, listed=False):
    """A shared-down article the user reads but cannot edit. ``listed``: the article
    comes from the user's own listing, so it is known to be readable (no query)."""
    return (
        getattr(user, "editor_profile", None) is not None
        and not can_edit(user, article)
        and policy_registry.get_by_type(Article).user_has_permission(user, "add")
        and (listed or can_view(user, article))
    )


class ArticleViewSet(ContentViewSet):
    model = Article
    icon = "doc-full"
    menu_label = _("图文素材")
    base_form_class = ArticleForm
    # Copies of articles go through make_local_copy (which remembers the origin), not the generic copy view.
    copy_view_enabled = False
    filterset_class = ArticleFilterSet
    search_fields = ["title", "code", "digest", "author"]
    list_display = [
        "title",
        "code",
        OrganisationColumn("organisation", label=_("所属组织")),
        SharingColumn("sharing", label=_("下发/副本")),
    ]
    select_related = ("organisation", "origin")
    panels = [
        OriginPanel(),
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("title"), FieldPanel("author"), OrganisationPanel()],
            heading=_("基本信息"),
        ),
        FieldPanel("digest"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        FieldPanel("channels"),
        FieldPanel("related_packages"),
        FieldPanel("shared_to"),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("local-copy/<int:pk>/", local_copy_view, name="local_copy")]
