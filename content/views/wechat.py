"""Admin of WeChat passive replies and template-message definitions."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column

from content.models import AutoReply, TemplateMessage
from content.views.filters import OrganisationFilterSet
from content.views.forms import AutoReplyForm, TemplateMessageForm
from content.views.scoped import ContentViewSet, OrganisationPanel


class AutoReplyFilterSet(OrganisationFilterSet):
    class Meta:
        model = AutoReply
        fields = ["account", "kind", "match", "reply_type", "live"]


class TemplateMessageFilterSet(OrganisationFilterSet):
    class Meta:
        model = TemplateMessage
        fields = ["organisation", "live"]


class AutoReplyViewSet(ContentViewSet):
    model = AutoReply
    icon = "comment"
    menu_label = _("自动回复")
    base_form_class = AutoReplyForm
    filterset_class = AutoReplyFilterSet
    search_fields = ["keyword", "event_key", "reply_text"]
    list_display = [
        Column("rule", label=_("规则"), accessor=str),
        Column("kind", label=_("类型"), accessor="get_kind_display"),
        Column("match", label=_("匹配方式"), accessor=lambda r: r.get_match_display() if r.kind == "keyword" else ""),
        Column("priority", label=_("优先级"), sort_key="priority"),
        Column("reply_type", label=_("回复类型"), accessor="get_reply_type_display"),
        Column("account", label=_("公众号"), accessor=lambda r: r.account.name),
    ]
    select_related = ("account",)
    panels = [
        FieldPanel("account", widget=forms.Select),
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("keyword"), FieldPanel("match"), FieldPanel("event_key"), FieldPanel("priority")],
            heading=_("触发条件"),
        ),
        MultiFieldPanel(
            [FieldPanel("reply_type"), FieldPanel("reply_text"), FieldPanel("reply_article"), FieldPanel("reply_image")],
            heading=_("回复内容"),
        ),
    ]


class TemplateMessageViewSet(ContentViewSet):
    model = TemplateMessage
    icon = "form"
    menu_label = _("模板消息")
    base_form_class = TemplateMessageForm
    filterset_class = TemplateMessageFilterSet
    search_fields = ["title", "code"]
    list_display = [
        "title",
        "code",
        Column("field_count", label=_("字段数"), accessor=lambda d: len(d.fields or [])),
        Column("organisation", label=_("所属组织"), accessor=lambda d: d.organisation.name),
    ]
    select_related = ("organisation",)
    panels = [
        FieldPanel("code"),
        FieldPanel("title"),
        OrganisationPanel(),
        FieldPanel("fields"),
        InlinePanel("account_mappings", heading=_("各公众号的模板ID"), label=_("映射")),
    ]
