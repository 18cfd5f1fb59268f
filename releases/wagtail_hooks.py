"""Admin of releases: the Release snippet (its edit page submits to the approval
workflow, publishes now or at a time), the release page (items, per-channel diff,
violations, go-live progress, rollback), "add to release" on item lists, edit pages
and the menu tree editor, and the checks that refuse publishing a release with
violations or an item a release holds."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.models import register_snippet

from content import kinds
from content.views.panels import StatusPanel
from content.viewsets import OrganisationScopedViewSet
from menus.views import editor as menu_editor
from releases import urls as release_urls
from releases.add_to import AddToReleaseMenuItem, add_to_url, menu_editor_links
from releases.membership import holding_release, releasable_kinds
from releases.models import Release
from releases.validation import violations


class ReleaseViewSet(OrganisationScopedViewSet):
    model = Release
    icon = "calendar-alt"
    menu_label = _("上线计划")
    menu_order = 205
    add_to_admin_menu = True
    list_display = ["code", "title", "state", "go_live_at", "organisation"]
    search_fields = ["code", "title"]
    panels = [
        StatusPanel(),
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("organisation"),
    ]


register_snippet(ReleaseViewSet)


@hooks.register("register_admin_urls")
def register_release_urls():
    return [
        path(
            "releases/",
            include((release_urls, "releases_admin"), namespace="releases_admin"),
        )
    ]


@hooks.register("register_snippet_listing_buttons")
def release_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Release):
        yield ListingButton(
            _("内容与差异"),
            reverse("releases_admin:release", args=[snippet.pk]),
            icon_name="doc-full",
            priority=5,
        )
        return
    if kinds.kind_of(snippet) in releasable_kinds():
        yield ListingButton(
            _("加入上线计划"),
            add_to_url(snippet, next_url or ""),
            icon_name="calendar-alt",
            priority=40,
        )


@hooks.register("register_snippet_action_menu_item")
def add_to_release_menu_item(model):
    return (
        AddToReleaseMenuItem() if kinds.kind_of(model) in releasable_kinds() else None
    )


hooks.register(menu_editor.LINKS_HOOK, menu_editor_links)


class HeldWarning:
    """The item is held by an open release: publishing it alone is refused."""

    blocking = True
    channel = ""
    code = "held"

    def __init__(self, message):
        self.message = message

    def __str__(self):
        return f"[阻止发布] {self.message}"


@hooks.register("editorial_item_checks")  # content.checks.HOOK
def release_checks(item):
    if isinstance(item, Release):
        return list(violations(item))
    held = holding_release(item)
    return [HeldWarning(held[1])] if held else []
