"""The import's outbox: side effects of a committed import still to complete."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingEffect(models.Model):
    """One side effect (a change-log resync, a menu's change row, a menu push, the
    reply tables) written in the import's own transaction, so it exists exactly when
    the data does; deleted in the transaction that completes it (``importing.outbox``)."""

    kind = models.CharField(_("类型"), max_length=40)
    args = models.JSONField(_("参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待完成的导入后续操作")
        verbose_name_plural = _("待完成的导入后续操作")
        ordering = ("pk",)

    def __str__(self):
        return f"{self.kind} {self.args}"
