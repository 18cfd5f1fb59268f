"""WeChat keyword auto-replies (and subscribe / click replies) and template-message definitions."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from .editorial import EditorialModel, OwnedEditorialModel
from .organisations import code_validator


class AutoReply(EditorialModel):
    """One rule of passive replies: of one official account, or shared by an
    organisation with every official account of it and below (see
    ``content.services.replies.effective_rules``)."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", _("关键词回复")
        SUBSCRIBE = "subscribe", _("关注回复")
        CLICK = "click", _("菜单点击回复")
        DEFAULT = "default", _("默认回复")

    class Match(models.TextChoices):
        EXACT = "exact", _("全匹配")
        CONTAINS = "contains", _("包含")

    class ReplyType(models.TextChoices):
        TEXT = "text", _("文本")
        ARTICLE = "article", _("图文")
        IMAGE = "image", _("图片")

    # Exactly one of the two: the account's own rule, or a shared rule of an organisation.
    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("公众号"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="auto_replies",
    )
    organisation = models.ForeignKey(
        "content.Organisation", verbose_name=_("共享组织"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="shared_auto_replies", help_text=_("共享规则:适用于该组织及下级组织的全部公众号"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.KEYWORD)
    keyword = models.CharField(_("关键词"), max_length=60, blank=True)
    match = models.CharField(_("匹配方式"), max_length=16, choices=Match.choices, default=Match.EXACT)
    event_key = models.CharField(_("菜单事件KEY"), max_length=128, blank=True)
    priority = models.IntegerField(_("优先级"), default=0, help_text=_("数值大的优先"))
    reply_type = models.CharField(_("回复类型"), max_length=16, choices=ReplyType.choices, default=ReplyType.TEXT)
    reply_text = models.TextField(_("回复文本"), blank=True)
    reply_article = models.ForeignKey(
        "content.Article", verbose_name=_("回复图文"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply_image = models.ForeignKey(
        "media.LibraryImage", verbose_name=_("回复图片"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Owned through the account, or by the organisation that shares it.
    organisation_lookup = ("account__organisation_id", "organisation_id")

    search_fields = [
        index.SearchField("keyword"),
        index.AutocompleteField("keyword"),
        index.SearchField("reply_text"),
        index.FilterField("kind"),
        index.FilterField("account"),
        index.FilterField("organisation"),
        index.FilterField("live"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("自动回复")
        verbose_name_plural = _("自动回复")
        ordering = ["account", "organisation", "kind", "-priority", "keyword"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False, organisation__isnull=True)
                | models.Q(account__isnull=True, organisation__isnull=False),
                name="auto_reply_of_account_or_organisation",
                violation_error_message=_("自动回复必须且只能属于一个公众号或一个共享组织"),
            )
        ]

    def __str__(self):
        return self.keyword or self.event_key or self.get_kind_display()

    @property
    def owner_label(self):
        """The account or the organisation the rule belongs to, as an editor reads it."""
        return str(self.account) if self.account_id else str(self.organisation)

    def clean(self):
        from content.services.wechat import validate_auto_reply

        validate_auto_reply(self)


class TemplateMessage(OwnedEditorialModel):
    """A template-message definition: a template of WeChat's library (its number, and
    for a category template the keywords, which are the fields' labels in order) and
    the accounts it is sent from; each account's template id is obtained from WeChat
    when the definition is published (``notices.binding``), never typed by hand."""

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    title = models.CharField(_("标题"), max_length=64)
    template_id_short = models.CharField(
        _("模板库编号"), max_length=64, blank=True,
        help_text=_("微信模板库中的模板编号(如 OPENTM200654400;类目模板为纯数字编号,关键词取各字段的名称)"),
    )
    # [{"key": "thing1", "label": "账单月份", "type": "thing"}, ...]
    fields = models.JSONField(_("字段"), default=list, blank=True)

    search_fields = [
        index.SearchField("title"), index.AutocompleteField("title"), index.SearchField("code"),
        index.AutocompleteField("code"), index.FilterField("live"), index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("模板消息")
        verbose_name_plural = _("模板消息")
        ordering = ["code"]

    def __str__(self):
        return f"{self.title} ({self.code})"

    def clean(self):
        from content.services.wechat import validate_template_message

        validate_template_message(self)


class TemplateMessageMapping(models.Model):
    """An official account the definition is sent from, with the template id WeChat
    gave that account for it (empty until the definition's publication binds it)."""

    definition = ParentalKey(TemplateMessage, on_delete=models.CASCADE, related_name="account_mappings")
    account = models.ForeignKey("content.ChannelAccount", verbose_name=_("公众号"), on_delete=models.CASCADE, related_name="+")
    wechat_template_id = models.CharField(_("微信模板ID"), max_length=64, blank=True, help_text=_("发布后从微信获取"))
    # What the id was obtained for: a changed library number or keyword list needs a new one.
    bound_short = models.CharField(_("已绑定的模板库编号"), max_length=64, blank=True)
    bound_keywords = models.JSONField(_("已绑定的关键词"), default=list, blank=True)
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    bind_error = models.CharField(_("绑定失败原因"), max_length=255, blank=True)

    # A plain select: the definition's form limits it to the editor's official accounts.
    panels = [
        FieldPanel("account", widget=forms.Select),
        FieldPanel("wechat_template_id", read_only=True),
        FieldPanel("bind_error", read_only=True),
    ]

    class Meta:
        verbose_name = _("模板ID映射")
        constraints = [models.UniqueConstraint(fields=["definition", "account"], name="unique_template_per_account")]

    def __str__(self):
        return f"{self.definition_id} → {self.wechat_template_id}"

    def clean(self):
        from content.services.wechat import validate_template_mapping

        try:
            definition = self.definition
        except TemplateMessage.DoesNotExist:
            return  # a new definition's mappings are checked by the definition's form
        validate_template_mapping(self, definition)
