"""Admin of WeChat passive replies (and the effective rules of an account, shared
sets merged) and template-message definitions."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import IndexView

from content.models import AutoReply, ChannelAccount, TemplateMessage
from content.permissions import can_edit, scope_for_user, visible
from content.services.replies import effective_rules
from content.views.filters import OrganisationFilterSet
from content.views.forms import AutoReplyForm, TemplateMessageForm
from content.views.scoped import ContentViewSet, OrganisationPanel


class AutoReplyFilterSet(OrganisationFilterSet):
    class Meta:
        model = AutoReply
        fields = ["account", "organisation", "kind", "match", "reply_type", "live"]


class TemplateMessageFilterSet(OrganisationFilterSet):
    class Meta:
        model = TemplateMessage
        fields = ["organisation", "live"]


class AutoReplyIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        url = reverse(self.model.snippet_viewset.get_url_name("effective"))
        return [*super().header_buttons, HeaderButton(_("公众号生效规则"), url=url, icon_name="list-ul")]


def official_accounts_of(user):
    """The official accounts whose effective rules ``user`` may look at."""
    accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT).order_by("code")
    return visible(accounts.select_related("organisation"), scope_for_user(user))


def _source_label(effective):
    if not effective.inherited:
        return _("本公众号")
    if effective.distance == 1:
        return _("%(org)s(所属组织共享)") % {"org": effective.source.name}
    return _("%(org)s(上级组织共享)") % {"org": effective.source.name}


def _row(effective, user):
    rule = effective.rule
    edit_url = reverse(AutoReply.snippet_viewset.get_url_name("edit"), args=[rule.pk]) if can_edit(user, rule) else ""
    return {"rule": rule, "source": _source_label(effective), "inherited": effective.inherited, "edit_url": edit_url}


def effective_view(request):
    """The rules an official account answers with, each with where it comes from
    (the account, its organisation or one above), and the shared ones it overrides."""
    if not policy_registry.get_by_type(AutoReply).user_has_any_permission(request.user, ["view", "change"]):
        raise PermissionDenied
    accounts = official_accounts_of(request.user)
    account = None
    chosen = request.GET.get("account", "")
    if chosen:
        # Another organisation's account is a 404, as everywhere under isolation.
        if not chosen.isdigit():
            raise Http404
        account = get_object_or_404(accounts, pk=chosen)
    rows, hidden = [], []
    if account is not None:
        overridden = []
        rows = [_row(e, request.user) for e in effective_rules(account, overridden=overridden)]
        hidden = [_row(e, request.user) for e in overridden]
    return TemplateResponse(
        request,
        "content/wechat/effective_replies.html",
        {
            "accounts": accounts,
            "account": account,
            "rows": rows,
            "overridden": hidden,
            "header_icon": "list-ul",
            "page_title": _("公众号生效规则"),
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse(AutoReply.snippet_viewset.get_url_name("list")), "label": _("自动回复")},
                {"url": "", "label": _("公众号生效规则")},
            ],
        },
    )


class AutoReplyViewSet(ContentViewSet):
    model = AutoReply
    icon = "comment"
    menu_label = _("自动回复")
    base_form_class = AutoReplyForm
    filterset_class = AutoReplyFilterSet
    index_view_class = AutoReplyIndexView
    search_fields = ["keyword", "event_key", "reply_text"]
    list_display = [
        Column("rule", label=_("规则"), accessor=str),
        Column("kind", label=_("类型"), accessor="get_kind_display"),
        Column("match", label=_("匹配方式"), accessor=lambda r: r.get_match_display() if r.kind == "keyword" else ""),
        Column("priority", label=_("优先级"), sort_key="priority"),
        Column("reply_type", label=_("回复类型"), accessor="get_reply_type_display"),
        Column("owner", label=_("公众号 / 共享组织"), accessor="owner_label"),
    ]
    select_related = ("account", "organisation")
    panels = [
        MultiFieldPanel(
            [FieldPanel("account", widget=forms.Select), FieldPanel("organisation", widget=forms.Select)],
            heading=_("适用范围"),
            help_text=_("选择一个公众号,或选择一个组织作为共享规则(二者选一);公众号的同一关键词规则覆盖共享规则"),
        ),
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("keyword"), FieldPanel("match"), FieldPanel("event_key"), FieldPanel("priority")],
            heading=_("触发条件"),
        ),
        MultiFieldPanel(
            [FieldPanel("reply_type"), FieldPanel("reply_text"), FieldPanel("reply_article"), FieldPanel("reply_image")],
            heading=_("回复内容"),
        ),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("effective/", effective_view, name="effective")]


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
        FieldPanel("template_id_short"),
        FieldPanel("fields"),
        InlinePanel(
            "account_mappings", heading=_("发送公众号"), label=_("公众号"),
            help_text=_("发布后自动为每个公众号从微信获取模板ID"),
        ),
    ]
