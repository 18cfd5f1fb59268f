"""The log of recent callback messages and the rule that answered each. It keeps the
openid and nothing else personal: text is kept as a short excerpt with digit runs
(phone and ID numbers) masked, and rows expire after WECHAT_CALLBACK_LOG_DAYS."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EXCERPT_CHARS = 60


class MessageLog(models.Model):
    class Matched(models.TextChoices):
        KEYWORD = "keyword", _("关键词回复")
        SUBSCRIBE = "subscribe", _("关注回复")
        CLICK = "click", _("菜单点击回复")
        DEFAULT = "default", _("默认回复")
        PUBLISH_JOB = "publish_job", _("群发结果通知")
        NONE = "", _("无(回复success)")

    # No index of its own: wechat_cb_log_account_time starts with it, and each index
    # is one more write per logged message.
    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("公众号"), on_delete=models.CASCADE, related_name="+",
        db_index=False,
    )
    openid = models.CharField(_("OpenID"), max_length=64)
    msg_type = models.CharField(_("消息类型"), max_length=32)
    event = models.CharField(_("事件"), max_length=32, blank=True)
    excerpt = models.CharField(_("内容摘要"), max_length=EXCERPT_CHARS, blank=True)
    matched_kind = models.CharField(_("命中规则类型"), max_length=16, choices=Matched.choices, blank=True)
    matched_rule_id = models.BigIntegerField(_("命中规则ID"), null=True, blank=True)
    matched_label = models.CharField(_("命中关键词/KEY"), max_length=128, blank=True)
    encrypted = models.BooleanField(_("安全模式"), default=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    organisation_lookup = "account__organisation_id"
    # Log rows are written on the hot path: keep Wagtail's reference index out of it.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("公众号消息日志")
        verbose_name_plural = _("公众号消息日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="wechat_cb_log_account_time"),
            # The admin's OpenID filter (one follower's messages, newest first) on a log of millions.
            models.Index(fields=["openid", "-created_at"], name="wechat_cb_log_openid_time"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.openid} {self.msg_type} {self.created_at:%Y-%m-%d %H:%M:%S}"

    def matched(self):
        if not self.matched_kind:
            return self.get_matched_kind_display()
        label = f" {self.matched_label}" if self.matched_label else ""
        rule = f" #{self.matched_rule_id}" if self.matched_rule_id else ""
        return f"{self.get_matched_kind_display()}{label}{rule}"

    matched.short_description = _("命中规则")


class Follower(models.Model):
    """An openid the callback has heard from at an official account. WeChat's openids
    are per account, so this says which account an openid belongs to (the sender of
    template messages refuses another account's openid) and whether it still follows.
    Written by the message log's writer, off the request path."""

    # No index of its own: wechat_cb_follower_unique starts with it.
    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("公众号"), on_delete=models.CASCADE, related_name="+",
        db_index=False,
    )
    openid = models.CharField(_("OpenID"), max_length=64)
    subscribed = models.BooleanField(_("关注中"), default=True)
    last_seen = models.DateTimeField(_("最近消息时间"), default=timezone.now)

    organisation_lookup = "account__organisation_id"
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("公众号粉丝")
        verbose_name_plural = _("公众号粉丝")
        constraints = [models.UniqueConstraint(fields=["account", "openid"], name="wechat_cb_follower_unique")]
        indexes = [models.Index(fields=["openid"], name="wechat_cb_follower_openid")]

    def __str__(self):
        return f"{self.openid} @ {self.account_id}"
