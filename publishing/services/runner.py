"""Running one publication: claim it under a row lock, run its channel's steps
outside any transaction, and record how the attempt ended.

A claim takes a lease; a second message for the same job (acks-late redelivery,
a sweep) finds the lease and leaves. A worker that dies mid-run leaves the lease
to expire, and the next run resumes after the last step whose remote id was stored."""

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from publishing.models import Publication, PublicationAttempt, State
from wechat.errors import DailyQuotaExceeded, LimitViolation, PermanentError, TransientError

from . import progress
from .dispatch import enqueue, retry_delay

log = logging.getLogger("publishing")

Step = Publication.Step
Outcome = PublicationAttempt.Outcome
# A message may arrive a little before the time it was scheduled for.
EARLY = timedelta(seconds=1)


class Refused(Exception):
    """The item cannot go to this account as it is (rendition blocked, menu invalid):
    fail at once with the reason."""

    def __init__(self, reason, code="refused"):
        self.reason = reason
        self.code = code
        super().__init__(reason)


class Cancelled(Exception):
    """An editor cancelled the publication while it ran."""


@dataclass
class Waiting:
    """The steps are done for now; look again after ``delay`` seconds (publish result),
    storing ``store`` (field values) with the wait."""

    delay: float
    store: dict = field(default_factory=dict)


class Finished:
    """The channel's work is complete; the runner marks the publication done."""


class Handed:
    """The steps handed the job on: already completed (a poll found the article
    published) or waiting for something else (its webhook deliveries)."""


def lease_end():
    return timezone.now() + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)


@contextmanager
def lease_kept(pub):
    """Renew the job's lease while the block runs, every third of the lease, so that
    a step longer than the lease (large uploads retried in the client) is not taken
    over by a sweep while this worker still runs it. The heartbeat touches the
    database only when the block outlasts a third of the lease."""
    stop = threading.Event()
    interval = settings.PUBLISHING_LEASE_SECONDS / 3

    def beat():
        renewed = False
        try:
            while not stop.wait(interval):
                renewed = True
                Publication.objects.filter(pk=pub.pk, state=State.RUNNING).update(lease_until=lease_end())
        except Exception:
            log.exception("could not renew the lease of publication %s", pub.pk)
        finally:
            if renewed:
                connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"lease-{pub.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def claim(publication_id):
    """Lock the job and take its lease, or None when it is not ours to run now."""
    with transaction.atomic():
        pub = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("account", "batch")
            .filter(pk=publication_id)
            .first()
        )
        if pub is None or pub.state not in (State.QUEUED, State.RUNNING):
            return None
        now = timezone.now()
        if pub.lease_until and pub.lease_until > now:
            return None
        if pub.next_attempt_at and pub.next_attempt_at > now + EARLY:
            return None
        polling = pub.step == Step.RESULT and pub.publish_id
        pub.state = State.RUNNING
        pub.started_at = pub.started_at or now
        pub.lease_until = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
        pub.next_attempt_at = None
        if not polling:
            pub.attempts += 1
        pub.save(update_fields=["state", "started_at", "lease_until", "next_attempt_at", "attempts"])
        attempt = None
        if not polling:
            attempt = PublicationAttempt.objects.create(publication=pub, number=pub.attempts, step=pub.step)
        return pub, attempt


def reach(pub, step):
    """Note the step the job is at; stored with the next checkpoint or the outcome
    (one commit fewer per step on the hot path)."""
    pub.step = step


def checkpoint(pub, **fields):
    """Store progress (remote ids, the step reached) at once and renew the lease.
    Raises ``Cancelled`` when an editor cancelled the job meanwhile."""
    fields["lease_until"] = lease_end()
    updated = Publication.objects.filter(pk=pub.pk, state=State.RUNNING).update(**fields)
    if not updated:
        raise Cancelled()
    for name, value in fields.items():
        setattr(pub, name, value)


def _close_attempt(attempt, outcome, step="", code="", error=""):
    if attempt is None:
        return
    PublicationAttempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome, step=step, error_code=str(code or ""), error=error, finished_at=timezone.now()
    )


def run(publication_id, steps):
    """Run the job with ``steps(pub)`` (the channel's work) and record the outcome."""
    claimed = claim(publication_id)
    if claimed is None:
        return None
    pub, attempt = claimed
    try:
        with lease_kept(pub):
            result = steps(pub)
    except Cancelled:
        _close_attempt(attempt, Outcome.CANCELLED, pub.step)
        return State.CANCELLED
    except DailyQuotaExceeded as exc:
        return _pause(pub, attempt, exc)
    except LimitViolation as exc:
        return fail(pub, f"{exc.field}: {exc.message}", exc.errcode, attempt)
    except PermanentError as exc:
        return fail(pub, exc.reason, exc.errcode, attempt)
    except Refused as exc:
        return fail(pub, exc.reason, exc.code, attempt)
    except TransientError as exc:
        return _retry_later(pub, attempt, exc.reason, exc.errcode)
    except Exception as exc:  # a bug or an outage we did not foresee: retry, bounded, and say so
        log.exception("publication %s (%s) crashed at step %s", pub.pk, pub.account.code, pub.step)
        return _retry_later(pub, attempt, f"内部错误 {type(exc).__name__}: {exc}", "internal")
    if isinstance(result, Waiting):
        with transaction.atomic():
            _close_attempt(attempt, Outcome.WAITING, pub.step)
            Publication.objects.filter(pk=pub.pk, state=State.RUNNING).update(
                step=pub.step, lease_until=None, next_attempt_at=timezone.now() + timedelta(seconds=result.delay),
                **result.store,
            )
            from publishing.tasks import run_publication

            enqueue(run_publication, pub.pk, delay=result.delay)
        return State.RUNNING
    if isinstance(result, Handed):
        with transaction.atomic():
            _close_attempt(attempt, Outcome.DONE, pub.step)
            Publication.objects.filter(pk=pub.pk, state=State.RUNNING).update(step=pub.step, lease_until=None)
        return State.RUNNING
    _close_attempt(attempt, Outcome.DONE, pub.step)
    progress.complete(pub.pk, via=Publication.Via.RUN)
    return State.DONE


def fail(pub, reason, code="", attempt=None):
    """Fail the job now with the reason (permanent errors, exhausted retries)."""
    log.warning("publication %s (%s) failed at %s: %s", pub.pk, pub.account.code, pub.step, reason)
    with transaction.atomic():
        _close_attempt(attempt, Outcome.FAILED, pub.step, code, reason)
        progress.finish(pub.pk, State.FAILED, error=reason, code=code, step=pub.step)
    return State.FAILED


def _retry_later(pub, attempt, reason, code):
    failures = pub.failures + 1
    if failures >= settings.PUBLISHING_MAX_FAILURES:
        return fail(pub, f"重试{failures}次仍失败:{reason}", code, attempt)
    delay = retry_delay(failures)
    with transaction.atomic():
        _close_attempt(attempt, Outcome.RETRY, pub.step, code, reason)
        updated = Publication.objects.filter(pk=pub.pk, state=State.RUNNING).update(
            state=State.QUEUED,
            step=pub.step,
            failures=failures,
            last_error=reason,
            last_error_code=str(code or ""),
            lease_until=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        if updated:
            from publishing.tasks import run_publication

            log.info("publication %s (%s) retry %d in %.1fs: %s", pub.pk, pub.account.code, failures, delay, reason)
            enqueue(run_publication, pub.pk, delay=delay)
    return State.QUEUED


def _pause(pub, attempt, exc):
    """45009: stop calling WeChat for this account until its quota resets."""
    until = exc.paused_until or (timezone.now() + timedelta(hours=1))
    _close_attempt(attempt, Outcome.PAUSED, pub.step, exc.errcode, exc.reason)
    Publication.objects.filter(pk=pub.pk).update(step=pub.step)
    log.error(
        "publication %s paused: account %s exhausted its WeChat daily quota (%s); resumes at %s",
        pub.pk, pub.account.code, exc.reason, until,
    )
    progress.pause_account_jobs(pub.account_id, until, exc.reason, str(exc.errcode or ""), current_id=pub.pk)
    return State.PAUSED
