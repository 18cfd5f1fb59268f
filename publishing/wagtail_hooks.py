"""Admin hooks of the publishing app."""

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet

from content.viewsets import OrganisationScopedViewSet
from publishing.forms import WebhookEndpointForm
from publishing.models import WebhookEndpoint

# ---------------------------------------------------------------------------
# Push publishing (publishing app): dashboard, webhook endpoints, home panel.
# ---------------------------------------------------------------------------


class WebhookEndpointViewSet(OrganisationScopedViewSet):
    model = WebhookEndpoint
    icon = "link"
    menu_label = _("Webhook 端点")
    base_form_class = WebhookEndpointForm
    add_to_admin_menu = False
    list_display = ["account", "name", "url", "enabled"]
    list_filter = ["enabled", "account"]
    search_fields = ["name", "url"]
    panels = [
        FieldPanel("account", widget=forms.Select),
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("enabled"),
        FieldPanel("secret_new"),
    ]


register_snippet(WebhookEndpointViewSet)
ENDPOINTS_LIST = "wagtailsnippets_publishing_webhookendpoint:list"


@hooks.register("register_admin_urls")
def push_publishing_urls():
    return [path("publishing/", include("publishing.admin_urls", namespace="publishing"))]


class _PermittedItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("publishing.view_publication")


class _EndpointsItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("publishing.view_webhookendpoint")


class _PushMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("publishing.view_publication")


@hooks.register("register_admin_menu_item")
def push_publishing_menu():
    submenu = Menu(
        items=[
            _PermittedItem(_("推送看板"), reverse("publishing:dashboard"), icon_name="upload", order=100),
            _PermittedItem(_("Webhook 投递"), reverse("publishing:deliveries"), icon_name="mail", order=200),
            _EndpointsItem(_("Webhook 端点"), reverse(ENDPOINTS_LIST), icon_name="link",
                           order=300),
        ]
    )
    return _PushMenuItem(_("推送"), submenu, icon_name="upload", name="push-publishing", order=400)


class PushAlertsPanel(Component):
    """On the admin home: accounts paused on their WeChat quota and failed jobs."""

    name = "push_alerts"
    order = 50

    def __init__(self, paused, failed):
        self.paused = paused
        self.failed = failed

    def render_html(self, parent_context=None):
        from django.utils.html import format_html, format_html_join

        url = reverse("publishing:dashboard")
        rows = format_html_join(
            "", "<li>{} ({}):{} 个任务暂停,{}</li>",
            ((p["account__name"], p["account__code"], p["jobs"], p["reason"]) for p in self.paused),
        )
        return format_html(
            '<section class="panel help-block help-warning" id="push-alerts"><h2>推送告警</h2>'
            '<ul>{}</ul><p>失败的发布任务:{} · <a href="{}?state=failed">查看</a></p></section>',
            rows, self.failed, url,
        )


@hooks.register("construct_homepage_panels")
def push_alerts_panel(request, panels):
    if not request.user.has_perm("publishing.view_publication"):
        return
    from publishing import dashboard
    from publishing.models import State

    paused = dashboard.paused_accounts(request.user)
    failed = dashboard.publications_for(request.user).filter(state=State.FAILED).count()
    if paused or failed:
        panels.append(PushAlertsPanel(paused, failed))

# --------------------------- end of push publishing ---------------------------


@hooks.register("editorial_item_checks")  # content.checks.HOOK
def channel_limit_checks(item):
    from publishing.checks import approval_checks

    return approval_checks(item)


@hooks.register("editorial_item_live_accounts")  # content.views.takedown.HOOK
def ledger_live_accounts(item):
    from publishing.takedown import live_accounts

    return live_accounts(item)


@hooks.register("editorial_item_went_live")  # content.views.feedback.HOOK
def push_feedback(request, item, approved):
    from publishing.feedback import announce

    announce(request, item, approved)


@hooks.register("construct_homepage_panels")
def review_queue_with_context(request, panels):
    """Wagtail's 等待你的审查 panel, each item with its reach and blocking checks."""
    from publishing.review import ReviewQueuePanel

    for index, panel in enumerate(panels):
        if getattr(panel, "name", "") == ReviewQueuePanel.name:
            panels[index] = ReviewQueuePanel()


@hooks.register("register_snippet_listing_buttons")
def menu_rollout_button(snippet, user, next_url=None):
    """菜单下发 on a WeChat base menu the user may publish (publishing.menu_rollout)."""
    from wagtail.admin.widgets.button import ListingButton

    from content.models import ChannelAccount
    from menus.models import Menu
    from menus.views.access import may

    if not isinstance(snippet, Menu) or snippet.is_variant:
        return
    if snippet.account.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT and may(user, "publish", snippet):
        yield ListingButton(_("下发"), reverse("publishing:menu_rollout", args=[snippet.pk]), icon_name="upload",
                            priority=8)


@hooks.register("register_snippet_listing_buttons")
def effective_menu_button(snippet, user, next_url=None):
    """有效菜单 on an official account: the menu it is served, wherever it comes from."""
    from wagtail.admin.widgets.button import ListingButton

    from content.models import ChannelAccount
    from menus.views.access import menu_policy

    if (isinstance(snippet, ChannelAccount) and snippet.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
            and menu_policy().user_has_permission(user, "view")):
        yield ListingButton(_("有效菜单"), reverse("publishing:effective_menu", args=[snippet.pk]),
                            icon_name="list-ul", priority=20)
