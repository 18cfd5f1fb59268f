"""Admin for the organisation matrix; content models register their own viewsets."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from content.forms import ChannelAccountForm, OrganisationForm
from content.models import Brand, ChannelAccount, Organisation
from content.viewsets import OrganisationScopedViewSet


class OrganisationViewSet(OrganisationScopedViewSet):
    model = Organisation
    icon = "site"
    menu_label = _("组织")
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    ordering = ["code"]
    base_form_class = OrganisationForm
    # Only provinces and branches can be parents: a short plain select beats a chooser.
    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("level"), FieldPanel("parent", widget=forms.Select)]


class BrandViewSet(SnippetViewSet):
    model = Brand
    icon = "tag"
    menu_label = _("品牌")
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    panels = [FieldPanel("code"), FieldPanel("name")]


class ChannelAccountViewSet(OrganisationScopedViewSet):
    model = ChannelAccount
    icon = "mail"
    menu_label = _("渠道账号")
    base_form_class = ChannelAccountForm
    list_display = ["name", "code", "type", "organisation", "enabled"]
    list_filter = ["type", "organisation", "enabled"]
    search_fields = ["name", "code"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("type"),
        FieldPanel("organisation"),
        FieldPanel("enabled"),
        MultiFieldPanel(
            [FieldPanel("app_id"), FieldPanel("original_id"), FieldPanel("api_base_url"), FieldPanel("official_kind"),
             FieldPanel("keep_replaced_articles")],
            heading=_("微信"),
        ),
        MultiFieldPanel(
            [FieldPanel("service_number"), FieldPanel("signature"), FieldPanel("opt_out_text"), FieldPanel("max_segments")],
            heading=_("短信"),
        ),
        FieldPanel("base_url"),
        MultiFieldPanel(
            [
                FieldPanel("app_secret_new"),
                FieldPanel("callback_token_new"),
                FieldPanel("encoding_aes_key_new"),
                FieldPanel("webhook_key_new"),
            ],
            heading=_("密钥(只写)"),
        ),
    ]

    def get_urlpatterns(self):
        from django.urls import path

        from content.views.sms_recheck import URL_NAME, recheck_view

        return super().get_urlpatterns() + [path("sms-recheck/<int:pk>/", recheck_view, name=URL_NAME)]


class OrganisationMatrixGroup(SnippetViewSetGroup):
    menu_label = _("组织矩阵")
    menu_icon = "group"
    menu_order = 100
    items = (OrganisationViewSet, BrandViewSet, ChannelAccountViewSet)


register_snippet(OrganisationMatrixGroup)


# -- Content: library, catalogue, SMS templates, WeChat replies -----------------

from django.urls import reverse  # noqa: E402
from wagtail import hooks  # noqa: E402
from wagtail.admin.widgets.button import Button  # noqa: E402

from content.models import Article, AutoReply, SmsTemplate  # noqa: E402
from content.views.catalogue import BusinessViewSet, PackageViewSet  # noqa: E402
from content.views.groups import NewsGroupViewSet  # noqa: E402
from content.views.promotions import PromotionSlotViewSet  # noqa: E402
from content.views.library import ArticleViewSet, can_copy_locally  # noqa: E402
from content.views import sms_recheck  # noqa: E402
from content.views.sms import SmsTemplateViewSet  # noqa: E402
from content.views.wechat import AutoReplyViewSet, TemplateMessageViewSet  # noqa: E402


class ContentGroup(SnippetViewSetGroup):
    menu_label = _("内容")
    menu_icon = "doc-full-inverse"
    menu_order = 90
    items = (ArticleViewSet, NewsGroupViewSet, PackageViewSet, BusinessViewSet, PromotionSlotViewSet, SmsTemplateViewSet,
             AutoReplyViewSet, TemplateMessageViewSet)


register_snippet(ContentGroup)


@hooks.register("register_snippet_listing_buttons")
def effective_replies_button(snippet, user, next_url=None):
    if isinstance(snippet, ChannelAccount) and snippet.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        url = reverse(AutoReply.snippet_viewset.get_url_name("effective")) + f"?account={snippet.pk}"
        yield Button(_("生效的自动回复"), url=url, icon_name="comment", priority=20)


@hooks.register("register_snippet_listing_buttons")
def local_copy_button(snippet, user, next_url=None):
    if isinstance(snippet, Article) and can_copy_locally(user, snippet, listed=True):
        url = reverse(Article.snippet_viewset.get_url_name("local_copy"), args=[snippet.pk])
        yield Button(
            _("复制为本地版本"),
            url=url,
            icon_name="copy",
            priority=5,
            attrs={"data-controller": "w-action", "data-action": "w-action#post", "data-w-action-url-value": url},
        )


def _reserve_sms_commands(request, instance):
    # Saving (draft or live) reserves the template's commands on the serving
    # account, so approval and publication never meet a clash; validation in
    # the form has already refused commands bound elsewhere.
    if isinstance(instance, SmsTemplate):
        from content.services.sms import sync_command_bindings

        sync_command_bindings(instance)


hooks.register("after_create_snippet", _reserve_sms_commands)
hooks.register("after_edit_snippet", _reserve_sms_commands)
hooks.register("before_edit_snippet", sms_recheck.remember_rules)
hooks.register("after_edit_snippet", sms_recheck.list_broken_after_save)


@hooks.register("register_snippet_listing_buttons")
def sms_recheck_button(snippet, user, next_url=None):
    if isinstance(snippet, ChannelAccount) and snippet.type == ChannelAccount.Type.SMS:
        yield Button(_("短信模板复核"), url=sms_recheck.recheck_url(snippet), icon_name="warning", priority=20)


@hooks.register("register_log_actions")
def approval_without_channels(actions):
    """The history line of an approval that left channels out (content.services.approval)."""
    from wagtail.log_actions import LogFormatter

    from content.services.approval import ACTION

    @actions.register_action(ACTION)
    class ApprovedWithoutChannels(LogFormatter):
        label = _("批准(不推送部分渠道)")

        def format_message(self, log_entry):
            return _("批准,不推送到:%(channels)s") % {"channels": "、".join(log_entry.data.get("labels", []))}


@hooks.register("editorial_item_checks")  # content.checks.HOOK
def news_group_rules(item):
    from content.services.groups import group_checks

    return group_checks(item)


# Referential integrity: an item a live item needs stays live (content.dependencies).
@hooks.register("before_unpublish")
def refuse_unpublishing_what_live_items_need(request, obj):
    from content.views.integrity import refuse_when_needed

    return refuse_when_needed(request, [obj], "下线")


@hooks.register("before_delete_snippet")
def refuse_deleting_what_live_items_need(request, objects):
    from content.views.integrity import refuse_when_needed

    return refuse_when_needed(request, list(objects), "删除")


@hooks.register("register_log_actions")
def expiry_refused(actions):
    """The history line of an item beat kept live past its expiry (content.services.scheduled)."""
    from wagtail.log_actions import LogFormatter

    from content.services.scheduled import EXPIRY_REFUSED

    @actions.register_action(EXPIRY_REFUSED)
    class ExpiryRefused(LogFormatter):
        label = _("到期下线被拒绝")

        def format_message(self, log_entry):
            return _("到期未下线,仍被使用:%(blockers)s") % {"blockers": ";".join(log_entry.data.get("blockers", []))}
