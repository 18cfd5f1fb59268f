"""Publications: a stored job per target channel account, run by Celery.

A ``PublishBatch`` is one editor action (publishing an item or a menu version);
it fans out into one ``Publication`` per target account and channel. Each
publication records its state, attempts, the remote ids WeChat handed back and
the error of its last attempt, so a retry resumes where the last one stopped."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content import kinds


class State(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    PAUSED = "paused", _("已暂停")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


FINISHED_STATES = (State.DONE, State.FAILED, State.CANCELLED)
OPEN_STATES = (State.QUEUED, State.RUNNING, State.PAUSED)


class PublishBatch(models.Model):
    """One publish action: an item or menu version sent to all its target accounts."""

    Kind = kinds.PushedKind  # the kinds that are pushed, from the registry

    class Action(models.TextChoices):
        PUBLISH = "publish", _("发布")
        UNPUBLISH = "unpublish", _("下线")

    class Origin(models.TextChoices):
        EDITOR = "editor", _("编辑发布")
        COMMAND = "command", _("命令行")
        ADMIN = "admin", _("看板操作")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices, default=Action.PUBLISH)
    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices, default=Origin.EDITOR)
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.CharField(_("对象ID"), max_length=64)
    source_code = models.CharField(_("代码"), max_length=128, blank=True)
    label = models.CharField(_("名称"), max_length=200, blank=True)
    revision_id = models.BigIntegerField(_("版本"), null=True, blank=True)
    # Channels the approval explicitly left out (content.services.approval): their accounts get nothing.
    left_out_channels = models.JSONField(_("未推送的渠道"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The run the batch is one push of (a release's go-live pushes each item in its own
    # batch): an opaque key its app writes (publishing.runs) and the label the dashboard
    # shows for the run's one row. Empty for a batch of its own.
    run_key = models.CharField(_("执行"), max_length=64, blank=True, default="")
    run_label = models.CharField(_("执行名称"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发布批次")
        verbose_name_plural = _("发布批次")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            # a run's batches, read by key; most batches have none
            models.Index(fields=["run_key"], condition=~models.Q(run_key=""), name="publishing_batch_run_key"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.get_kind_display()} {self.source_code or self.label}"

    def source(self):
        """The published object: the live row (drafts live in revisions until published),
        or the menu version itself."""
        model = self.source_type.model_class()
        return model._default_manager.get(pk=self.source_id)


class Publication(models.Model):
    """Getting one batch's item to one account through one channel."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("微信接口")
        WEBHOOK = "webhook", _("Webhook")

    class Step(models.TextChoices):
        START = "", _("未开始")
        IMAGES = "images", _("上传正文图片")
        COVER = "cover", _("上传封面")
        DRAFT = "draft", _("新建草稿")
        SUBMIT = "submit", _("提交发布")
        RESULT = "result", _("等待发布结果")
        TAKEDOWN = "takedown", _("删除已发布文章")
        REPLY_IMAGE = "reply_image", _("上传回复图片")
        MENU_DELETE = "menu_delete", _("清除旧菜单")
        MENU_CREATE = "menu_create", _("创建菜单")
        MENU_CONDITIONAL = "menu_conditional", _("创建个性化菜单")
        DELIVERIES = "deliveries", _("Webhook 投递")
        FINISHED = "finished", _("结束")

    class Via(models.TextChoices):
        NONE = "", _("—")
        RUN = "run", _("任务")
        POLL = "poll", _("轮询结果")
        EVENT = "event", _("发布事件回调")

    batch = models.ForeignKey(
        PublishBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="publications"
    )
    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.CASCADE, related_name="publications"
    )
    channel = models.CharField(_("通道"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    step = models.CharField(_("步骤"), max_length=32, choices=Step.choices, blank=True, default=Step.START)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    # Remote ids, stored the moment WeChat returns them so a retry never repeats a step.
    media_id = models.CharField(_("草稿 media_id"), max_length=128, blank=True)
    publish_id = models.CharField(_("发布 publish_id"), max_length=64, blank=True, db_index=True)
    article_id = models.CharField(_("文章 article_id"), max_length=128, blank=True)
    # When WeChat's article (article_id) was deleted: replaced by a newer version, or
    # taken down (unpublished, expired, deleted). Empty while it is live.
    withdrawn_at = models.DateTimeField(_("文章删除时间"), null=True, blank=True)
    remote = models.JSONField(_("其它远端标识"), default=dict, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_error_code = models.CharField(_("错误码"), max_length=32, blank=True)
    completed_via = models.CharField(_("完成途径"), max_length=16, choices=Via.choices, blank=True, default=Via.NONE)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    # A worker holds the job until this time; a crashed worker's job is taken over after it.
    lease_until = models.DateTimeField(null=True, blank=True)

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("发布任务")
        verbose_name_plural = _("发布任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "account", "channel"], name="one_publication_per_account_channel")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"]), models.Index(fields=["account", "state"])]

    def __str__(self):
        return f"#{self.pk} {self.account_id} {self.get_channel_display()} {self.get_state_display()}"

    @property
    def finished(self):
        return self.state in FINISHED_STATES

    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class PublicationAttempt(models.Model):
    """One run of a publication's job: which step it reached and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("运行中")
        DONE = "done", _("完成")
        WAITING = "waiting", _("等待结果")
        RETRY = "retry", _("稍后重试")
        PAUSED = "paused", _("配额暂停")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("序号"))
    step = models.CharField(_("步骤"), max_length=32, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    error_code = models.CharField(_("错误码"), max_length=32, blank=True)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(_("开始"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("发布尝试")
        verbose_name_plural = _("发布尝试")
        ordering = ["publication", "number"]
