"""What the WeChat client remembers between workers: the shared access token (when
Redis is not configured), uploaded images, draft idempotency records, accounts
paused on their daily quota, and template ids per account."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.secrets import SecretField


class AccessToken(models.Model):
    """The access token of one appid, shared by all workers (database token store).
    Encrypted at rest like the other channel secrets."""

    app_id = models.CharField(_("AppID"), max_length=64, unique=True)
    token = SecretField(_("access_token"))
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("微信接口凭据")
        verbose_name_plural = _("微信接口凭据")

    def __str__(self):
        return f"access_token {self.app_id}"


class UploadedAsset(models.Model):
    """An image already uploaded to an account, found again by its content hash so an
    unchanged image is never uploaded twice."""

    class Kind(models.TextChoices):
        UPLOADIMG = "uploadimg", _("正文图片")
        THUMB = "thumb", _("缩略图素材")
        IMAGE = "image", _("图片素材")

    app_id = models.CharField(_("AppID"), max_length=64)
    content_hash = models.CharField(_("内容哈希"), max_length=64, help_text=_("SHA-256"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    media_id = models.CharField(_("media_id"), max_length=128, blank=True)
    url = models.URLField(_("图片地址"), max_length=1024, blank=True)
    size = models.PositiveIntegerField(_("字节数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已上传图片")
        verbose_name_plural = _("已上传图片")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "content_hash", "kind"], name="wechat_asset_unique_per_app"),
        ]

    def __str__(self):
        return f"{self.kind} {self.content_hash[:12]} @ {self.app_id}"

    @property
    def uploaded(self):
        return bool(self.media_id or self.url)


class DraftRecord(models.Model):
    """Idempotency record of one draft, keyed by the caller's key and stored before
    draft/add is called: after a lost answer the client finds the draft again by
    ``marker`` instead of adding a second one."""

    class State(models.TextChoices):
        PENDING = "pending", _("待创建")
        DRAFTED = "drafted", _("已建草稿")
        SUBMITTED = "submitted", _("已提交发布")
        PUBLISHED = "published", _("已发布")
        FAILED = "failed", _("发布失败")

    app_id = models.CharField(_("AppID"), max_length=64)
    idempotency_key = models.CharField(_("幂等键"), max_length=128)
    marker = models.CharField(_("草稿标记"), max_length=64)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    media_id = models.CharField(_("草稿 media_id"), max_length=128, blank=True, db_index=True)
    publish_id = models.CharField(_("发布任务 publish_id"), max_length=64, blank=True)
    article_id = models.CharField(_("article_id"), max_length=128, blank=True)
    add_attempts = models.PositiveSmallIntegerField(_("新建尝试次数"), default=0)
    submit_attempts = models.PositiveSmallIntegerField(_("发布尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("草稿幂等记录")
        verbose_name_plural = _("草稿幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "idempotency_key"], name="wechat_draft_unique_key"),
        ]

    def __str__(self):
        return f"draft {self.idempotency_key} @ {self.app_id} ({self.state})"


class AccountPause(models.Model):
    """An account whose daily quota (45009) is used up: its WeChat calls stop until
    ``paused_until`` (WeChat resets quotas at midnight Beijing time)."""

    app_id = models.CharField(_("AppID"), max_length=64, unique=True)
    paused_until = models.DateTimeField(_("暂停至"))
    endpoint = models.CharField(_("接口"), max_length=64)
    reason = models.CharField(_("原因"), max_length=255)
    created_at = models.DateTimeField(_("暂停时间"), auto_now=True)

    class Meta:
        verbose_name = _("暂停的公众号")
        verbose_name_plural = _("暂停的公众号")

    def __str__(self):
        return f"{self.app_id} paused until {self.paused_until:%Y-%m-%d %H:%M}"


class TemplateBinding(models.Model):
    """A template-message definition (by code) mapped to the template id that one
    account obtained for it from WeChat's template library."""

    app_id = models.CharField(_("AppID"), max_length=64)
    code = models.CharField(_("模板定义代码"), max_length=64)
    template_id_short = models.CharField(_("模板库编号"), max_length=64)
    template_id = models.CharField(_("模板ID"), max_length=128)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("模板消息绑定")
        verbose_name_plural = _("模板消息绑定")
        constraints = [models.UniqueConstraint(fields=["app_id", "code"], name="wechat_template_unique_code")]

    def __str__(self):
        return f"{self.code} -> {self.template_id} @ {self.app_id}"
