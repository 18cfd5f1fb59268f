"""Admin of template messages sent: the sends list (read-only, one organisation's
accounts at a time) and 测试发送 on the definitions' pages."""

import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.action_menu import ActionMenuItem
from wagtail.snippets.models import register_snippet

from content.models import ChannelAccount, TemplateMessage
from content.permissions import can_edit, scope_for_user, visible
from content.viewsets import OrganisationScopedViewSet

from .models import Send
from .views import test_send


def _visible_accounts(request):
    accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
    if request is None:
        return accounts.none()
    return visible(accounts, scope_for_user(request.user))


class SendFilterSet(WagtailFilterSet):
    account = django_filters.ModelChoiceFilter(label=_("公众号"), queryset=_visible_accounts)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=Send.State.choices)
    code = django_filters.CharFilter(label=_("模板消息代码"), lookup_expr="exact")
    openid = django_filters.CharFilter(label=_("OpenID"), lookup_expr="exact")

    class Meta:
        model = Send
        fields = ["account", "state", "code", "openid", "test"]


class SendViewSet(OrganisationScopedViewSet):
    model = Send
    icon = "mail"
    menu_label = _("模板消息发送记录")
    menu_name = "template-message-sends"
    menu_order = 215
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = SendFilterSet
    list_display = ["created_at", "code", "account", "openid", "state", "msgid", "reason", "caller", "test"]
    list_per_page = 50
    capped_count = True
    ordering = ["-created_at", "-id"]
    inspect_view_fields = [
        "created_at",
        "code",
        "account",
        "openid",
        "values",
        "url",
        "template_id",
        "client_msg_id",
        "caller",
        "test",
        "state",
        "attempts",
        "msgid",
        "errcode",
        "reason",
        "sent_at",
        "finished_at",
    ]
    # Never edited; panels exist only because snippet viewsets build a form.
    panels = [FieldPanel("reason", read_only=True)]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


register_snippet(SendViewSet)


def test_send_url(definition):
    return reverse("notices_test_send", args=[definition.pk])


@hooks.register("register_admin_urls")
def register_test_send_url():
    return [path("notices/test-send/<int:definition_id>/", test_send, name="notices_test_send")]


class TestSendMenuItem(ActionMenuItem):
    """ "测试发送" in a definition's action menu."""

    name = "action-test-send"
    label = _("测试发送")
    icon_name = "mail"
    order = 95

    def is_shown(self, context):
        return context.get("view") == "edit" and context.get("instance") is not None

    def get_url(self, parent_context):
        return test_send_url(parent_context["instance"])


@hooks.register("register_snippet_action_menu_item")
def register_test_send_menu_item(model):
    return TestSendMenuItem() if model is TemplateMessage else None


@hooks.register("register_snippet_listing_buttons")
def test_send_listing_button(snippet, user, next_url=None):
    if isinstance(snippet, TemplateMessage) and can_edit(user, snippet):
        yield ListingButton(_("测试发送"), test_send_url(snippet), icon_name="mail", priority=95)
