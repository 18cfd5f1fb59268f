"""Admin: the message log, read-only, one organisation's accounts at a time."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from content.models import ChannelAccount
from content.permissions import scope_for_user, visible
from content.viewsets import OrganisationScopedViewSet

from .models import MessageLog


def _visible_accounts(request):
    accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
    if request is None:
        return accounts.none()
    return visible(accounts, scope_for_user(request.user))


class MessageLogFilterSet(WagtailFilterSet):
    account = django_filters.ModelChoiceFilter(label=_("公众号"), queryset=_visible_accounts)
    matched_kind = django_filters.ChoiceFilter(label=_("命中规则类型"), choices=MessageLog.Matched.choices)
    openid = django_filters.CharFilter(label=_("OpenID"), lookup_expr="exact")

    class Meta:
        model = MessageLog
        fields = ["account", "msg_type", "matched_kind", "openid", "encrypted"]


class MessageLogViewSet(OrganisationScopedViewSet):
    model = MessageLog
    icon = "list-ul"
    menu_label = _("公众号消息日志")
    menu_name = "wechat-message-log"
    menu_order = 210
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = MessageLogFilterSet
    list_display = ["created_at", "account", "openid", "msg_type", "event", "excerpt", "matched", "encrypted"]
    list_per_page = 50
    capped_count = True
    ordering = ["-created_at", "-id"]
    inspect_view_fields = [
        "created_at", "account", "openid", "msg_type", "event", "excerpt",
        "matched_kind", "matched_rule_id", "matched_label", "encrypted",
    ]
    # Never edited; panels exist only because snippet viewsets build a form.
    panels = [FieldPanel("excerpt", read_only=True)]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


register_snippet(MessageLogViewSet)
