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


class ImportedRecord(models.Model):
    """What an import left of one record of an editorial list: the digest of the export
    record it read (with what reading it depended on) and of the row it wrote. A later
    run that finds the same record digest over a row of the same digest skips the
    record without reading it (``importing.digests``)."""

    list_name = models.CharField(_("列表"), max_length=40)
    record = models.TextField(_("记录"))
    object_id = models.BigIntegerField(_("对象 ID"))
    digest = models.CharField(_("记录摘要"), max_length=32)
    row_digest = models.CharField(_("数据行摘要"), max_length=32)
    # Warnings reading the record gave ([{"field", "message"}]): a skipped record repeats them.
    warnings = models.JSONField(_("警告"), default=list, blank=True)

    class Meta:
        verbose_name = _("已导入的记录")
        verbose_name_plural = _("已导入的记录")
        constraints = [models.UniqueConstraint(fields=("list_name", "record"), name="importing_record_once_per_list")]

    def __str__(self):
        return f"{self.list_name} {self.record}"
