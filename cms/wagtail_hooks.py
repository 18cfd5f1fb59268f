"""Admin hooks that span apps: who works for which organisation; the GraphQL
API's clients (settings menu) with their tokens, and a preview-token button on
every editorial snippet."""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet

from cms import admin_search, admin_views
from cms.forms import ApiClientForm
from cms.models import ApiClient
from content import kinds
from content.models import EditorProfile
from content.permissions import can_view
from content.viewsets import OrganisationScopedViewSet


class EditorProfileViewSet(OrganisationScopedViewSet):
    model = EditorProfile
    icon = "user"
    menu_label = _("编辑归属")
    add_to_admin_menu = True
    menu_order = 900
    list_display = ["user", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["user__username"]
    panels = [FieldPanel("user"), FieldPanel("organisation")]


register_snippet(EditorProfileViewSet)


class ApiClientViewSet(OrganisationScopedViewSet):
    model = ApiClient
    icon = "key"
    menu_label = _("API 客户端")
    menu_name = "api_clients"
    add_to_settings_menu = True
    base_form_class = ApiClientForm
    add_view_class = admin_views.ApiClientCreateView
    list_display = ["name", "organisation", "expires_at", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldPanel("organisation", widget=forms.Select),
        FieldPanel("accounts", widget=forms.CheckboxSelectMultiple),
        FieldPanel("expires_at"),
    ]


register_snippet(ApiClientViewSet)


@hooks.register("register_admin_urls")
def register_api_urls():
    return [
        path("api-clients/<int:pk>/tokens/", admin_views.client_tokens, name="cms_api_client_tokens"),
        path("graphql-preview/<str:kind>/<int:pk>/", admin_views.preview_token, name="cms_api_preview_token"),
        path("search/", admin_search.search_view, name="cms_search"),
    ]


@hooks.register("register_admin_search_area")
def everything_search_area():
    return admin_search.EverythingSearchArea()


@hooks.register("construct_search")
def no_page_search(request, search_areas):
    # The project keeps no pages: searching them would always come back empty.
    search_areas[:] = [area for area in search_areas if area.name != "pages"]


@hooks.register("construct_main_menu")
def no_page_explorer(request, menu_items):
    # Nor a page tree to explore (only Wagtail's root and starting page are there).
    menu_items[:] = [item for item in menu_items if item.name != "explorer"]


@hooks.register("construct_homepage_summary_items", order=100)  # after Wagtail adds its items
def no_page_count(request, summary_items):
    # The home page's summary would count (and link to) that empty page tree.
    from wagtail.admin.site_summary import PagesSummaryItem

    summary_items[:] = [item for item in summary_items if not isinstance(item, PagesSummaryItem)]


@hooks.register("register_snippet_listing_buttons")
def api_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, ApiClient):
        yield ListingButton(_("令牌"), reverse("cms_api_client_tokens", args=[snippet.pk]), priority=5,
                            attrs={"data-client-tokens": snippet.name})
    kind = kinds.kind_of(snippet)
    if kind is not None and kind.editorial and can_view(user, snippet):
        yield ListingButton(_("预览令牌"), reverse("cms_api_preview_token", args=[kind.code, snippet.pk]), priority=90)


# -- reports, logs and the admin API under organisation isolation ---------------
# (the reports' views: cms/admin_reports.py, mounted in cms/urls.py)

PAGE_REPORTS = frozenset({"aging-pages", "locked-pages", "page-types-usage"})


@hooks.register("register_log_actions", order=100)
def scoped_log_entries(actions):
    """Every history and the site history read the log through the scoped proxy."""
    from django.db import models
    from wagtail.models import ModelLogEntry

    from cms.models import ScopedModelLogEntry

    actions.log_entry_models.discard(ModelLogEntry)
    actions.register_model(models.Model, ScopedModelLogEntry)


@hooks.register("construct_admin_api", order=100)
def scoped_admin_api(router):
    from cms.admin_api import scope_endpoints

    scope_endpoints(router)


@hooks.register("construct_reports_menu")
def page_reports_for_administrators(request, menu_items):
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name not in PAGE_REPORTS]
