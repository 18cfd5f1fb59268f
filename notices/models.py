"""One template message sent (or being sent) to one follower: who asked, what it
said, and what WeChat made of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Send(models.Model):
    """A template message of a definition to one openid of one official account,
    unique per account and client message id (a replay returns this row)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("微信已受理")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")

    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("公众号"), on_delete=models.PROTECT, related_name="+"
    )
    definition = models.ForeignKey(
        "content.TemplateMessage", verbose_name=_("模板消息"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept: the definition may be deleted after its messages went out.
    code = models.CharField(_("模板消息代码"), max_length=64)
    openid = models.CharField(_("OpenID"), max_length=64)
    values = models.JSONField(_("字段值"), default=dict)
    url = models.URLField(_("跳转链接"), max_length=1024, blank=True)
    template_id = models.CharField(_("微信模板ID"), max_length=64)
    client_msg_id = models.CharField(_("调用方消息ID"), max_length=64)
    caller = models.CharField(_("调用方"), max_length=150)
    test = models.BooleanField(_("测试发送"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    msgid = models.CharField(_("微信消息ID"), max_length=32, blank=True)
    errcode = models.IntegerField(_("微信错误码"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    # When its job is due (queued: its next try; sending: when claimed); the sweep
    # sends it again when its job message was lost (notices.delivery.sweep).
    due_at = models.DateTimeField(_("计划时间"), null=True, blank=True)

    organisation_lookup = "account__organisation_id"
    # Written per message a business system sends: keep Wagtail's reference index out of it.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("模板消息发送")
        verbose_name_plural = _("模板消息发送")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "client_msg_id"], name="notices_send_unique_client_msg_id")
        ]
        indexes = [
            models.Index(fields=["account", "msgid"], name="notices_send_account_msgid"),
            # The admin's OpenID filter (what one follower was sent, newest first).
            models.Index(fields=["openid", "-created_at"], name="notices_send_openid_time"),
            models.Index(fields=["due_at"], name="notices_send_open_due",
                         condition=models.Q(state__in=["queued", "sending"])),
        ]

    def __str__(self):
        return f"{self.code} → {self.openid} ({self.get_state_display()})"

    @property
    def wechat_client_msg_id(self):
        """What WeChat deduplicates on: one id per send, the same on every retry."""
        return f"notice-{self.pk}"
