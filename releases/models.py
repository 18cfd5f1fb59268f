"""Releases (上线计划): drafts of many kinds, and menus, that go live and roll back as
one unit on every channel. A release is a Wagtail snippet on the editorial mixins, so
its single approval is the existing workflow and its schedule is Wagtail's go-live."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin

from content import kinds
from content.models.organisations import OrganisationOwned, code_validator


class Release(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, OrganisationOwned
):
    """A set of items going live together. ``live`` (Wagtail's) means approved and
    published; ``state`` follows the release through going live and rolling back."""

    class State(models.TextChoices):
        OPEN = "open", _("编辑中")
        GOING_LIVE = "going_live", _("上线中")
        LIVE = "live", _("已上线")
        ROLLING_BACK = "rolling_back", _("回滚中")
        ROLLED_BACK = "rolled_back", _("已回滚")

    code = models.CharField(
        _("代码"), max_length=64, unique=True, validators=[code_validator]
    )
    title = models.CharField(_("标题"), max_length=200)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=State.choices,
        default=State.OPEN,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    went_live_at = models.DateTimeField(
        _("上线时间"), null=True, blank=True, editable=False
    )
    rolled_back_at = models.DateTimeField(
        _("回滚时间"), null=True, blank=True, editable=False
    )
    # Why the schedule came due but the release did not go live (its violations then).
    problem = models.TextField(_("未能上线的原因"), blank=True, editable=False)
    # The tables the release's checks read when they last passed, stamped (releases.stamp):
    # while the stamp holds, the schedule coming due and the go-live need not check again.
    validation_stamp = models.JSONField(null=True, blank=True, editable=False)
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="releases_release",
        for_concrete_model=False,
    )
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="releases_release",
        for_concrete_model=False,
    )

    class Meta:
        verbose_name = _("上线计划")
        verbose_name_plural = _("上线计划")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # Wagtail's ``live`` defaults to True; a new release is a draft until published.
        if self._state.adding and self.live_revision_id is None:
            self.live = False
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def publish(self, revision, *args, **kwargs):
        # Approving, publishing now, or the schedule coming due publishes the release's
        # revision; publishing it now starts the go-live (releases.golive).
        from releases import golive

        with transaction.atomic():
            came_due = revision.approved_go_live_at is not None
            problems, checked = golive.blocking(self, came_due=came_due)
            if problems and came_due:
                # The schedule came due (publish_scheduled, for every model at once):
                # recorded and shown, not raised, so the other scheduled items still go live.
                golive.schedule_failed(self, revision, problems)
                return None
            if problems:
                raise ValidationError(problems, code="violations")
            result = super().publish(revision, *args, **kwargs)
            golive.approved(self, kwargs.get("user"), came_due=came_due, checked=checked)
        return result


# A release holds its items from the moment they are added until it has gone live.
HOLDING_STATES = (Release.State.OPEN, Release.State.GOING_LIVE)


class ReleaseItem(models.Model):
    """One item of a release: an editorial item of any kind, or a menu, with what
    going live published and what it replaced (for rollback)."""

    release = models.ForeignKey(
        Release,
        verbose_name=_("上线计划"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=kinds.Kind.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(_("对象ID"))
    code = models.CharField(_("代码"), max_length=64)
    # True while the release holds the item: at most one holding release per item.
    holding = models.BooleanField(default=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("添加人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)
    # Filled by the go-live: the revision (or menu version number) it published and
    # the one that was live before (null: the item was not live, rollback unpublishes it).
    published_revision_id = models.BigIntegerField(
        null=True, blank=True, editable=False
    )
    previous_revision_id = models.BigIntegerField(null=True, blank=True, editable=False)
    was_live = models.BooleanField(default=False, editable=False)

    organisation_lookup = "release__organisation_id"

    class Meta:
        verbose_name = _("上线计划内容")
        verbose_name_plural = _("上线计划内容")
        ordering = ["kind", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "content_type", "object_id"],
                name="release_item_once",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(holding=True),
                name="release_item_one_holder",
            ),
        ]

    def __str__(self):
        return f"{kinds.label(self.kind)} {self.code}"

    def item(self):
        return (
            self.content_type.model_class()
            ._default_manager.filter(pk=self.object_id)
            .first()
        )


class ReleaseRun(models.Model):
    """One go-live or rollback of a release: the change-feed version it wrote and the
    push batches it fanned out to (the release's progress on the dashboard)."""

    class Action(models.TextChoices):
        GO_LIVE = "go_live", _("上线")
        ROLLBACK = "rollback", _("回滚")

    release = models.ForeignKey(
        Release,
        verbose_name=_("上线计划"),
        on_delete=models.CASCADE,
        related_name="runs",
    )
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    change_version = models.BigIntegerField(_("变更版本"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    fanned_out = models.BooleanField(_("已推送"), default=False)

    class Meta:
        verbose_name = _("上线计划执行")
        verbose_name_plural = _("上线计划执行")
        ordering = ["-created_at", "-pk"]
        # Exactly once: a redelivered go-live finds its run and does nothing again.
        constraints = [
            models.UniqueConstraint(
                fields=["release", "action"], name="release_run_once"
            )
        ]


class RunBatch(models.Model):
    """An item a run fanned out, with its first push batch (null: nothing to push for
    it): a redelivered fan-out skips it. Progress counts every batch of the run by its
    run key (releases.fanout.progress)."""

    run = models.ForeignKey(
        ReleaseRun, on_delete=models.CASCADE, related_name="batches"
    )
    item = models.ForeignKey(ReleaseItem, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        "publishing.PublishBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "item"], name="release_run_batch_once"
            )
        ]
