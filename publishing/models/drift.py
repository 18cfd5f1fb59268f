"""The last drift check of a WeChat account: when it ran and what differed between
the account's live state and what the CMS says should be there."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountDrift(models.Model):
    """One row per official account, overwritten by each check (``wechat_sync check``
    and the periodic task); ``findings`` are ``{area, kind, what}`` dicts."""

    account = models.OneToOneField(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.CASCADE, related_name="wechat_drift"
    )
    checked_at = models.DateTimeField(_("检查时间"))
    drifted = models.BooleanField(_("存在偏差"), default=False)
    findings = models.JSONField(_("偏差明细"), default=list, blank=True)
    error = models.CharField(_("检查失败原因"), max_length=500, blank=True)

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("公众号偏差检查")
        verbose_name_plural = _("公众号偏差检查")
        ordering = ["account__code"]

    def __str__(self):
        return f"{self.account_id} @ {self.checked_at:%Y-%m-%d %H:%M}"
