"""Beat's scheduler with a guard: a periodic task is sent at most once per slot of its
schedule, whichever beat gets there first. Two beats (a second one started by mistake,
or the orphaned child of a `worker -B` killed with SIGKILL) then send each run once.

The slot is the task's interval counted from the epoch (a minute for other
schedules); the claim is a row in the database every beat shares (cms.BeatSlot)."""

import logging
import time

from celery.beat import PersistentScheduler
from django.db import IntegrityError, close_old_connections, transaction

logger = logging.getLogger(__name__)

# Slots kept per task: the rest are deleted as new ones are claimed.
KEPT_SLOTS = 100


def slot_of(entry, now=None):
    run_every = getattr(entry.schedule, "run_every", None)
    seconds = max(run_every.total_seconds(), 1) if run_every is not None else 60
    return int((time.time() if now is None else now) // seconds)


def claim(task, slot):
    """True for the first caller of (task, slot), False for every later one."""
    from cms.models import BeatSlot

    try:
        with transaction.atomic():
            BeatSlot.objects.create(task=task, slot=slot)
    except IntegrityError:
        return False
    BeatSlot.objects.filter(task=task, slot__lt=slot - KEPT_SLOTS).delete()
    return True


class GuardedScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        # Beat lives for weeks: a connection the database dropped is replaced, as after a request.
        close_old_connections()
        return super().tick(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        slot = slot_of(entry)
        try:
            claimed = claim(entry.task, slot)
        except Exception:  # the database is away: a run sent now would fail the same way
            logger.exception("beat could not claim %s (slot %s); not sent", entry.task, slot)
            return
        if not claimed:
            logger.info("beat: %s (slot %s) was already sent by another beat; skipped", entry.task, slot)
            return
        super().apply_entry(entry, producer=producer)
