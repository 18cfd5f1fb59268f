"""Mass sends (群发): a news group or a text sent to every follower, or to a brand's
follower tag, of chosen official accounts; previewed, approved, then sent once per
account, each account's send a stored job with WeChat's ids and counts."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index

from content.models.organisations import ChannelAccount, OrganisationOwned


class Broadcast(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    index.Indexed,
    ClusterableModel,
    OrganisationOwned,
):
    class Kind(models.TextChoices):
        NEWS = "mpnews", _("图文组合")
        TEXT = "text", _("文本")

    class Audience(models.TextChoices):
        ALL = "all", _("全部粉丝")
        BRAND = "brand", _("品牌标签的粉丝")

    title = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(
        _("消息类型"), max_length=16, choices=Kind.choices, default=Kind.NEWS
    )
    news_group = models.ForeignKey(
        "content.NewsGroup",
        verbose_name=_("图文组合"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("消息类型为图文组合时必填;须已发布"),
    )
    text = models.TextField(
        _("文本内容"), blank=True, help_text=_("消息类型为文本时必填")
    )
    audience = models.CharField(
        _("发送对象"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    brand = models.ForeignKey(
        "content.Brand",
        verbose_name=_("品牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("发送对象为品牌标签时必填:发给各账号上带该品牌粉丝标签的粉丝"),
    )
    accounts = ParentalManyToManyField(
        ChannelAccount,
        verbose_name=_("公众号"),
        related_name="+",
        limit_choices_to={"type": ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT},
    )
    send_ignore_reprint = models.BooleanField(
        _("被判为转载时继续群发"),
        default=False,
        help_text=_(
            "微信原创校验判定为转载且原作者允许转载时,仍然群发(send_ignore_reprint)"
        ),
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="broadcasts_broadcast",
        for_concrete_model=False,
    )
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="broadcasts_broadcast",
        for_concrete_model=False,
    )

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.FilterField("organisation"),
        index.FilterField("live"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("群发")
        verbose_name_plural = _("群发")
        ordering = ["-id"]

    def __str__(self):
        return self.title

    def clean(self):
        from broadcasts.services.rules import validate_broadcast

        validate_broadcast(self)


class State(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("提交中")
    SUBMITTED = "submitted", _("微信发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
    DELETED = "deleted", _("已删除")


class BroadcastPreview(models.Model):
    """One preview of a broadcast's content (``content_hash``) on one account; a send
    needs a ``sent`` preview of the content it sends."""

    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.CASCADE, related_name="previews"
    )
    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("公众号"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    content_hash = models.CharField(max_length=64)
    touser = models.CharField(_("测试 OpenID"), max_length=64, blank=True)
    towxname = models.CharField(_("测试微信号"), max_length=64, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.QUEUED
    )
    msg_id = models.CharField(max_length=32, blank=True)
    error = models.CharField(_("原因"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("群发预览")
        verbose_name_plural = _("群发预览")
        ordering = ["-id"]


class BroadcastSend(models.Model):
    """A broadcast's send on one account: a stored job (queued → sending → submitted →
    sent or failed, then maybe deleted) with WeChat's msg_id and the finish event's counts."""

    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.CASCADE, related_name="sends"
    )
    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("公众号"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_hash = models.CharField(max_length=64)
    # Fixed when the send is queued and repeated by every try: WeChat answers a repeat
    # with the msg_id of the send that already went (45065), never a second send.
    clientmsgid = models.CharField(max_length=64, unique=True)
    tag_id = models.PositiveIntegerField(_("粉丝标签ID"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    media_id = models.CharField(max_length=128, blank=True)
    msg_id = models.CharField(max_length=32, blank=True, db_index=True)
    msg_data_id = models.CharField(max_length=32, blank=True)
    error = models.CharField(_("原因"), max_length=500, blank=True)
    wechat_status = models.CharField(_("微信结果"), max_length=32, blank=True)
    total_count = models.PositiveIntegerField(_("目标粉丝数"), null=True, blank=True)
    filter_count = models.PositiveIntegerField(_("过滤后粉丝数"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("发送成功"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("发送失败"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("群发任务")
        verbose_name_plural = _("群发任务")
        ordering = ["account__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "account"], name="broadcasts_one_send_per_account"
            )
        ]
