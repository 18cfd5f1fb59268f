"""A scheduled release prepared ahead of its time, committed at it (issue #18: the SMS
gateway holds the new bundle version within seconds of the scheduled time).

``PREPARE_SECONDS`` before the time, the on-time job (``releases.go_live_on_time``,
armed with beat's scheduled runs: content.tasks.arm_due calls ``arm``) opens the
go-live's one transaction: it locks the release, checks it (its stamp, else the full
checks: releases.golive.blocking), publishes every item, then waits for the time. At
the time it publishes the release's scheduled revision as ``publish_scheduled`` would,
takes the change log's writer lock, records the release's rows and its run, and
commits: the time to the commit is the writer lock, the change-log rows and the commit.

Nothing is visible before the commit. The writer lock is taken only at the time, so
change-feed and bundle readers are not held up while it waits (they read all of the
release or none of it, as with the go-live job); the items' rows stay locked meanwhile.
A release that fails its checks, was moved later or is no longer open is left alone:
the run at its time (publish_scheduled) goes live, or records why not, the usual way.
A worker dying mid-way commits nothing, and that run goes live instead. A
publish_scheduled run reaching the release while the job holds it waits for the
commit and then finds it live (releases.golive.schedule_failed records nothing)."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from publishing.changes import services as changes
from releases import golive
from releases.models import Release

log = logging.getLogger("releases")


def prepare_seconds():
    return float(settings.RELEASES_PREPARE_SECONDS)


def _scheduled_revision(release):
    return release.revisions.exclude(approved_go_live_at=None).order_by("-pk").first()


def arm(seconds):
    """Send the on-time job of each release due in the next ``seconds`` (beat's tick)
    plus the lead, to start the lead before its time. Only with a worker: run in
    process (the tests), a job sent for later would run at once."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision

    from publishing.services.dispatch import in_process
    from releases import tasks

    if in_process():
        return
    now, lead = timezone.now(), timedelta(seconds=prepare_seconds())
    due = Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Release),
        approved_go_live_at__gt=now,
        approved_go_live_at__lte=now + timedelta(seconds=seconds) + lead,
    ).values_list("object_id", "approved_go_live_at")
    for object_id, at in due:
        tasks.go_live_on_time.apply_async(args=[int(object_id)], eta=max(now, at - lead))


def go_live_on_time(release_id):
    """The on-time job (see the module docstring). Returns the run, or None when it
    left the release to the run at its time."""
    with transaction.atomic():
        release = Release.objects.select_for_update().filter(pk=release_id).first()
        if release is None or release.state != Release.State.OPEN:
            return None
        revision = _scheduled_revision(release)
        if revision is None:
            return None
        wait = (revision.approved_go_live_at - timezone.now()).total_seconds()
        if wait > prepare_seconds() + 1:
            return None  # moved later: armed again nearer its time
        problems, _tables = golive.blocking(release, came_due=True)
        if problems:
            return None  # the run at its time records why
        # Checked just now, in this transaction: its menus need not be checked again.
        group = golive.publish_items(release, None, True)
        wait = (revision.approved_go_live_at - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(wait)
        token = golive.preparing.set(release.pk)
        try:
            revision.publish(log_action="wagtail.publish.scheduled")
        finally:
            golive.preparing.reset(token)
        changes.lock_writers()
        run = golive.went_live(release, group, None)
    log.info(
        "release %s went live on time at change version %s (%.3f s after its time)",
        release.code,
        run.change_version,
        (timezone.now() - revision.approved_go_live_at).total_seconds(),
    )
    return run
