"""One row per published change per channel account; the row id is the version."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from content import kinds


class Change(models.Model):
    Kind = kinds.Kind  # every kind, from the registry

    class Action(models.TextChoices):
        UPSERT = "upsert", _("发布")
        UNPUBLISH = "unpublish", _("撤回")
        DELETE = "delete", _("删除")

    # Monotonic: rows are inserted under one lock and committed in version order
    # (see services.record), so a reader never sees version N+1 before N.
    version = models.BigAutoField(_("版本"), primary_key=True)
    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("代码"), max_length=64)
    object_id = models.BigIntegerField(_("对象ID"), null=True, blank=True)
    action = models.CharField(_("动作"), max_length=12, choices=Action.choices)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # Rows written by a release's go-live or rollback (publishing.changes.grouping):
    # its code, and the highest version of its rows, the one a front end holds once it
    # has the whole release. Empty for items published on their own.
    release_code = models.CharField(_("发布计划"), max_length=64, blank=True, default="")
    release_version = models.BigIntegerField(_("发布计划版本"), null=True, blank=True)
    release_rollback = models.BooleanField(_("发布计划回滚"), default=False)

    class Meta:
        verbose_name = _("变更")
        verbose_name_plural = _("变更日志")
        ordering = ["version"]
        indexes = [
            models.Index(fields=["account", "version"], name="change_account_version"),
            models.Index(fields=["kind", "object_id"], name="change_kind_object"),
            models.Index(fields=["account", "version"], condition=~models.Q(release_code=""),
                         name="change_account_release"),
        ]

    def __str__(self):
        return f"v{self.version} {self.account_id} {self.kind}:{self.code} {self.action}"
