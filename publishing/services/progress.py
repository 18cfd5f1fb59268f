"""How publications end and what that means for their batch: completed once
(whichever of the poll or the PUBLISHJOBFINISH event comes first), failed with a
reason, paused on an exhausted quota."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from publishing.models import FINISHED_STATES, OPEN_STATES, Delivery, Publication, PublishBatch, State
from publishing.signals import publication_finished

from .dispatch import enqueue

log = logging.getLogger("publishing")


def _locked(publication_id):
    return Publication.objects.select_for_update().filter(pk=publication_id).first()


def complete(publication_id, *, via, article_id=None):
    """Mark the publication done, once. False when it already was."""
    with transaction.atomic():
        pub = _locked(publication_id)
        if pub is None or pub.state == State.DONE:
            return False
        now = timezone.now()
        # A job cancelled or given up after WeChat accepted it is still published: the article exists.
        pub.state = State.DONE
        pub.step = Publication.Step.FINISHED
        pub.finished_at = now
        pub.started_at = pub.started_at or now
        pub.lease_until = None
        pub.next_attempt_at = None
        pub.completed_via = via
        pub.last_error = ""
        pub.last_error_code = ""
        if article_id:
            pub.article_id = str(article_id)
        pub.save()
        refresh_batch(pub.batch_id)
        _announce(pub)
    log.info("publication %s (account %s) done via %s", pub.pk, pub.account_id, via)
    return True


def finish(publication_id, state, *, error="", code="", step=None):
    """End the publication as failed or cancelled (never over a done one)."""
    with transaction.atomic():
        pub = _locked(publication_id)
        if pub is None or pub.state == State.DONE or pub.state == state:
            return False
        pub.state = state
        if step is not None:
            pub.step = step
        pub.finished_at = timezone.now()
        pub.lease_until = None
        pub.next_attempt_at = None
        if error:
            pub.last_error = error
            pub.last_error_code = str(code or "")
        pub.save()
        refresh_batch(pub.batch_id)
        _announce(pub)
    return True


def _announce(pub):
    transaction.on_commit(
        lambda: publication_finished.send(sender=Publication, publication_id=pub.pk, state=pub.state)
    )


def refresh_batch(batch_id):
    """Set the batch's finish time when its last publication ends (clear it on a retry)."""
    open_left = Publication.objects.filter(batch_id=batch_id, state__in=OPEN_STATES).exists()
    batches = PublishBatch.objects.filter(pk=batch_id)
    if open_left:
        batches.exclude(finished_at=None).update(finished_at=None)
    else:
        batches.filter(finished_at=None).update(finished_at=timezone.now())


def pause_account_jobs(account_id, until, reason, code, current_id=None):
    """Pause the account's WeChat jobs that wait or poll (and the one that hit the
    quota) until ``until``, and schedule the resume. Jobs other workers hold pause
    themselves at their next call: the client refuses calls of a paused account."""
    now = timezone.now()
    with transaction.atomic():
        unheld = Q(lease_until=None) | Q(lease_until__lte=now)
        idle = Q(state=State.QUEUED) | (Q(state=State.RUNNING) & unheld)
        Publication.objects.filter(account_id=account_id, channel=Publication.Channel.WECHAT).filter(
            Q(pk=current_id, state=State.RUNNING) | idle
        ).update(state=State.PAUSED, last_error=reason, last_error_code=code, lease_until=None, next_attempt_at=until)
        from publishing.tasks import resume_account

        # A minute's margin past the reset, so the first call lands on a fresh quota.
        enqueue(resume_account, account_id, delay=max(0.0, (until - now).total_seconds()) + 60)


def settle_webhook_publication(publication_id):
    """A webhook publication ends when all its deliveries have."""
    states = list(
        Delivery.objects.filter(publication_id=publication_id, replay_of=None).values_list("state", "last_error")
    )
    if any(state not in FINISHED_STATES for state, _ in states):
        return False
    if all(state == State.DONE for state, _ in states):
        return complete(publication_id, via=Publication.Via.RUN)
    if all(state == State.CANCELLED for state, _ in states):
        return finish(publication_id, State.CANCELLED)
    error = next((err for state, err in states if state == State.FAILED), "")
    return finish(publication_id, State.FAILED, error=f"Webhook 投递失败:{error}", code="webhook")


def result_deadline_passed(pub, timeout_seconds):
    submitted = pub.remote.get("submitted_at")
    if not submitted:
        return False
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(submitted)
    return moment is not None and timezone.now() - moment > timedelta(seconds=timeout_seconds)
