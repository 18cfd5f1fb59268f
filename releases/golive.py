"""Going live and rolling back: every item of a release published (or restored) in
ONE transaction, under the change log's writer lock, recorded as one release in the
change feed; then the pushes fan out (releases.fanout).

Exactly once: the state moves open → going_live when approved, and the go-live job
locks the release row and acts only from going_live; its run row (unique per release
and action) commits with the items. A worker killed mid-go-live leaves nothing
committed; the job, acknowledged late, is delivered again and runs it whole."""

import logging
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from content import holds, kinds
from content import tasks as content_tasks
from content.dependencies import blockers, refusal
from menus import services as menus
from publishing.changes import grouping
from publishing.changes import services as changes
from releases import stamp
from releases.models import Release, ReleaseItem, ReleaseRun
from releases.validation import violations

log = logging.getLogger("releases")
# The release whose schedule the on-time go-live (releases.ontime) publishes, in the
# transaction that checked it and published its items: no checks again, no go-live job.
preparing = ContextVar("release_preparing", default=None)


# The WeChat fan-out starts this long after commit: the SMS gateway's webhook (its
# delivery queued by the change log on commit, composed by its own job) goes first
# instead of sharing the worker with the fan-out's renditions; WeChat takes tens of
# seconds to show a release anyway.
FAN_OUT_AFTER_SECONDS = 1.0


def _enqueue(task_name, *args, delay=0.0):
    from publishing.services.dispatch import enqueue
    from releases import tasks

    enqueue(getattr(tasks, task_name), *args, delay=delay)


def _enqueue_fan_out(run):
    _enqueue("fan_out", run.pk, delay=FAN_OUT_AFTER_SECONDS)


def pin(release, *, unpinned_only=False):
    """Fix what will go live: each editorial item's latest revision, each menu's draft
    tree as a revision (later edits wait for the next release)."""
    items = release.items.all()
    if unpinned_only:
        items = items.filter(published_revision_id=None)
    for release_item in items:
        item = release_item.item()
        if item is None:
            continue
        if release_item.kind == kinds.Kind.MENU:
            revision = item.save_revision(
                clean=False
            )  # carries the draft tree (Menu.serializable_data)
        else:
            revision = item.latest_revision or item.save_revision(clean=False)
        ReleaseItem.objects.filter(pk=release_item.pk).update(
            published_revision_id=revision.pk
        )


def blocking(release, *, came_due=False):
    """(messages that refuse publishing ``release``: not open, or its violations; the
    tables its checks read). When the schedule comes due, the checks passed at approval
    stand while nothing they read has changed since (releases.stamp)."""
    current = Release.objects.select_for_update().get(pk=release.pk)
    if current.state != Release.State.OPEN:
        return [
            f"上线计划 {release.code} 状态为“{current.get_state_display()}”,不能再发布"
        ], None
    if came_due and preparing.get() == current.pk:
        return [], None  # checked by the on-time go-live, in this transaction
    if came_due and stamp.unchanged(current.validation_stamp):
        return [], current.validation_stamp["tables"]
    with stamp.noting_tables() as tables:
        found = violations(current)
    return [str(violation) for violation in found], tables


def schedule_failed(release, revision, problems):
    from wagtail.models import Revision

    Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
    if not Release.objects.filter(pk=release.pk, state=Release.State.OPEN).exists():
        # Another run of publish_scheduled due at the same time published it first.
        return
    Release.objects.filter(pk=release.pk).update(problem="\n".join(problems))
    log.warning(
        "release %s did not go live at its scheduled time: %s",
        release.code,
        "; ".join(problems),
    )


def approved(release, user=None, *, came_due=False, checked=None):
    """Release.publish ran (approval, publish now, or the schedule came due): pin its
    items (when the schedule came due they were pinned at approval: edits made since
    wait for the next release) and stamp what its checks read; when it is live now,
    start going live."""
    pin(release, unpinned_only=came_due)
    Release.objects.filter(pk=release.pk).update(
        validation_stamp=stamp.stamp(checked) if checked else None
    )
    release.refresh_from_db(fields=["live"])
    if release.live:
        Release.objects.filter(pk=release.pk).update(
            state=Release.State.GOING_LIVE, problem=""
        )
        if preparing.get() != release.pk:  # else the on-time go-live goes on itself
            user_id = user.pk if user is not None and user.is_authenticated else None
            _enqueue("go_live", release.pk, user_id)
    else:
        # Scheduled: beat arms the go-lives due before its next tick, but this one may
        # fall before that tick; arming it now keeps it from waiting a whole tick.
        transaction.on_commit(
            lambda: content_tasks.arm_due(settings.CONTENT_PUBLISH_SCHEDULED_SECONDS)
        )


def publish(release, *, at=None, user=None):
    """Publish now, or schedule at ``at`` (a past time is refused), bypassing review:
    the operators' command. Editors go through the workflow instead."""
    if release.state != Release.State.OPEN:
        raise ValidationError(
            {
                "state": ValidationError(
                    f"上线计划 {release.code} 状态为“{release.get_state_display()}”,不能再发布",
                    code="not_open",
                )
            }
        )
    if at is not None and at <= timezone.now():
        raise ValidationError(
            {
                "go_live_at": ValidationError(
                    f"上线计划 {release.code} 的计划上线时间 {at.isoformat()} 已过",
                    code="past",
                )
            }
        )
    with transaction.atomic():
        release.go_live_at = at
        release.save(update_fields=["go_live_at"])
        revision = release.save_revision(user=user, clean=False)
        revision.publish(user=user, skip_permission_checks=True)
    return Release.objects.get(pk=release.pk)


def _menus_last(release_item):
    return (release_item.kind == kinds.Kind.MENU, release_item.pk)


def _menus_first(release_item):
    return (release_item.kind != kinds.Kind.MENU, release_item.pk)


def _publish_item(release_item, user, checked):
    item = release_item.item()
    if release_item.kind == kinds.Kind.MENU:
        live = menus.live_version(item)
        revision = item.revisions.get(pk=release_item.published_revision_id)
        version = menus.publish_revision(
            item,
            revision,
            user=user,
            skip_permission_checks=True,
            comment=f"上线计划 {release_item.release.code}",
            checked=checked,
        )
        ReleaseItem.objects.filter(pk=release_item.pk).update(
            was_live=live is not None and item.live,
            previous_revision_id=live.number if live else None,
            published_revision_id=revision.pk,
        )
        return version
    was_live, previous = item.live, item.live_revision_id
    revision = item.revisions.get(pk=release_item.published_revision_id)
    revision.publish(user=user, skip_permission_checks=True)
    ReleaseItem.objects.filter(pk=release_item.pk).update(
        was_live=was_live, previous_revision_id=previous
    )
    return None


def publish_items(release, user, checked):
    """Publish every item of ``release`` (menus last: a menu publish checks that what it
    answers with is live) as one change group, returned for ``went_live``."""
    with holds.publishing_as(release.code), grouping.one_change(release.code) as group:
        for release_item in sorted(release.items.select_related("release"), key=_menus_last):
            _publish_item(release_item, user, checked)
    return group


def went_live(release, group, user):
    """Record the items published as one release in the change feed (the caller holds
    the writer lock), write the run, mark the release live; the fan-out after commit."""
    created = changes.record_group(group)
    run = ReleaseRun.objects.create(
        release=release,
        action=ReleaseRun.Action.GO_LIVE,
        user=user,
        change_version=max((c.version for c in created), default=None),
    )
    release.items.update(holding=False)
    Release.objects.filter(pk=release.pk).update(
        state=Release.State.LIVE, went_live_at=timezone.now()
    )
    _enqueue_fan_out(run)
    return run


def go_live(release_id, user=None):
    """The go-live job: publish every item and record one release in the change feed,
    in one transaction. Returns the run (the existing one when it already went live)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().filter(pk=release_id).first()
        if release is None or release.state != Release.State.GOING_LIVE:
            return ReleaseRun.objects.filter(
                release_id=release_id, action=ReleaseRun.Action.GO_LIVE
            ).first()
        # Readers of the change feed and bundles wait until the whole release is in.
        changes.lock_writers()
        # The release's checks (its menus' rules among them) passed when it was approved
        # or came due; they stand if nothing they read changed since (releases.stamp).
        group = publish_items(release, user, stamp.unchanged(release.validation_stamp))
        run = went_live(release, group, user)
    log.info(
        "release %s went live at change version %s", release.code, run.change_version
    )
    return run


def _current_mark(release_item, item):
    if release_item.kind == kinds.Kind.MENU:
        live = menus.live_version(item)
        return live.revision_id if live is not None else None
    return item.live_revision_id if item.live else None


def superseded_by(release):
    """Messages naming what changed the release's items after it went live (a later
    release, or an item published on its own since): its rollback would undo them."""
    out = []
    for release_item in release.items.all():
        item = release_item.item()
        if item is None:
            out.append(f"{release_item} 已被删除")
            continue
        if _current_mark(release_item, item) == release_item.published_revision_id:
            continue
        later = (
            ReleaseItem.objects.filter(
                content_type=release_item.content_type,
                object_id=release_item.object_id,
                release__went_live_at__gt=release.went_live_at,
            )
            .select_related("release")
            .order_by("-release__went_live_at")
            .first()
        )
        if later is not None:
            out.append(
                f"{release_item} 已被之后的上线计划 {later.release.code}({later.release.title})修改"
            )
        else:
            out.append(f"{release_item} 在上线后又单独发布过")
    return out


def rollback_blockers(release):
    """Live items outside the release that need an item its rollback would take off
    live (one the release created): content.dependencies, the one rule."""
    together, leaving = [], []
    for release_item in release.items.all():
        together.append((release_item.kind, release_item.object_id))
        restored = release_item.previous_revision_id is not None and (
            release_item.kind == kinds.Kind.MENU or release_item.was_live
        )
        if not restored:
            leaving.append((release_item.kind, release_item.object_id))
    return blockers(leaving, together=together) if leaving else []


def refuse_rollback(release):
    if release.state != Release.State.LIVE:
        raise ValidationError(
            {
                "state": ValidationError(
                    f"上线计划 {release.code} 状态为“{release.get_state_display()}”,只能回滚已上线的计划",
                    code="not_live",
                )
            }
        )
    needed = rollback_blockers(release)
    if needed:
        raise ValidationError(
            {"state": ValidationError(f"上线计划 {release.code} 不能回滚:" + refusal(needed, "撤回"), code="needed")}
        )
    superseded = superseded_by(release)
    if superseded:
        raise ValidationError(
            {
                "state": ValidationError(
                    f"上线计划 {release.code} 不能回滚:"
                    + ";".join(superseded)
                    + "。如需恢复旧内容,请新建上线计划发布所需版本。",
                    code="superseded",
                )
            }
        )


def rollback(release, user=None):
    """Ask for a rollback (checked now, run by the rollback job)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        refuse_rollback(release)
        Release.objects.filter(pk=release.pk).update(state=Release.State.ROLLING_BACK)
        _enqueue("roll_back", release.pk, user.pk if user is not None else None)
    return Release.objects.get(pk=release.pk)


def _restore_item(release_item, user):
    item = release_item.item()
    if release_item.kind == kinds.Kind.MENU:
        if release_item.previous_revision_id is None:
            item.unpublish(user=user)
            return
        source = item.versions.get(number=release_item.previous_revision_id)
        item._revision_tree = (
            False  # the restored tree is the version's, the draft stays
        )
        revision = item.save_revision(user=user, clean=False)
        menus.publish_revision(
            item,
            revision,
            user=user,
            skip_permission_checks=True,
            tree=source.tree,
            rolled_back_from=source.number,
            comment=f"回滚上线计划 {release_item.release.code}",
        )
        return
    if release_item.was_live and release_item.previous_revision_id:
        previous = item.revisions.get(pk=release_item.previous_revision_id)
        previous.publish(
            user=user, skip_permission_checks=True, previous_revision=previous
        )
    elif item.live:
        item.unpublish(user=user)


def roll_back(release_id, user=None):
    """The rollback job: every item back to what was live before, one change, one transaction."""
    with transaction.atomic():
        release = Release.objects.select_for_update().filter(pk=release_id).first()
        if release is None or release.state != Release.State.ROLLING_BACK:
            return ReleaseRun.objects.filter(
                release_id=release_id, action=ReleaseRun.Action.ROLLBACK
            ).first()
        changes.lock_writers()
        with (
            holds.publishing_as(release.code),
            grouping.one_change(release.code, rollback=True) as group,
        ):
            # menus first: an older tree never points at what the release created
            for release_item in sorted(release.items.select_related("release"), key=_menus_first):
                _restore_item(release_item, user)
        created = changes.record_group(group)
        run = ReleaseRun.objects.create(
            release=release,
            action=ReleaseRun.Action.ROLLBACK,
            user=user,
            change_version=max((c.version for c in created), default=None),
        )
        Release.objects.filter(pk=release.pk).update(
            state=Release.State.ROLLED_BACK, rolled_back_at=timezone.now()
        )
        _enqueue_fan_out(run)
    log.info(
        "release %s rolled back at change version %s", release.code, run.change_version
    )
    return run
