"""What an operator does from the dashboard or the command line: retry, cancel,
resume a paused account, replay a delivery; and the sweep that picks up jobs whose
message was lost (a worker killed before it acknowledged, a broker restart)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from content.models import ChannelAccount
from publishing.models import OPEN_STATES, Delivery, Publication, State, WebhookEndpoint

from . import progress
from .deliveries import _end, replay
from .dispatch import dispatch_again, enqueue, enqueue_many, late

log = logging.getLogger("publishing")

RETRYABLE = (State.FAILED, State.CANCELLED, State.PAUSED, State.QUEUED)


def _run_task():
    from publishing.tasks import run_publication

    return run_publication


def retry_publication(publication, user=None):
    """Queue a failed, cancelled or paused publication again (or run a queued one now);
    stored remote ids are kept, except after WeChat refused the published article,
    which needs a new draft."""
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=publication.pk)
        if pub.state not in RETRYABLE:
            raise ValidationError({"state": f"发布任务 #{pub.pk} 状态为{pub.get_state_display()},不能重试"})
        # A queued job waiting for its retry (or for a sweep that no worker runs) runs now.
        if pub.last_error_code.startswith("publish_status_"):
            generation = int(pub.remote.get("generation", 0)) + 1
            pub.remote = {"generation": generation}
            pub.media_id = pub.publish_id = ""
            pub.step = Publication.Step.START
        pub.state = State.QUEUED
        pub.failures = 0
        pub.finished_at = None
        pub.next_attempt_at = None
        pub.lease_until = None
        pub.save()
        progress.refresh_batch(pub.batch_id)
        if pub.channel == Publication.Channel.WEBHOOK:
            for delivery in pub.deliveries.filter(state__in=(State.FAILED, State.CANCELLED), replay_of=None):
                _requeue_delivery(delivery)
        enqueue(_run_task(), pub.pk)
    log.info("publication %s retried by %s", pub.pk, getattr(user, "username", "-"))
    return pub


def _requeue_delivery(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.QUEUED, first_attempt_at=None, next_attempt_at=None, finished_at=None, lease_until=None
    )
    from publishing.tasks import deliver

    enqueue(deliver, delivery.pk)


def cancel_publication(publication, user=None):
    """Stop a publication that has not finished; a running one stops at its next step."""
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=publication.pk)
        if pub.state not in OPEN_STATES:
            raise ValidationError({"state": f"发布任务 #{pub.pk} 已结束,不能取消"})
        who = getattr(user, "username", "操作员")
        progress.finish(pub.pk, State.CANCELLED, error=f"由 {who} 取消", code="cancelled")
        for delivery in pub.deliveries.filter(state=State.QUEUED):
            cancel_delivery(delivery)
    return pub


def cancel_delivery(delivery, user=None):
    with transaction.atomic():
        WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        current = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if current.state not in OPEN_STATES:
            raise ValidationError({"state": f"投递 #{current.pk} 已结束,不能取消"})
        _end(current, State.CANCELLED, error=f"由 {getattr(user, 'username', '操作员')} 取消")
    return current


def replay_delivery(delivery, user=None):
    if delivery.state not in (State.DONE, State.FAILED, State.CANCELLED):
        raise ValidationError({"state": f"投递 #{delivery.pk} 尚未结束,不能重放"})
    return replay(delivery, user)


def resume_account(account_id, *, force=False, user=None):
    """Requeue an account's paused jobs once its quota has reset (or now, when an
    operator says so after clearing the quota). Returns how many were requeued."""
    from wechat import quota

    account = ChannelAccount.objects.get(pk=account_id)
    if force:
        quota.resume_account(account.app_id)
    else:
        until = quota.paused_until(account.app_id)
        if until is not None:
            from publishing.tasks import resume_account as task

            enqueue(task, account_id, delay=(until - timezone.now()).total_seconds() + 60)
            return 0
    with transaction.atomic():
        paused = list(
            Publication.objects.select_for_update().filter(account_id=account_id, state=State.PAUSED)
            .values_list("pk", flat=True)
        )
        Publication.objects.filter(pk__in=paused).update(
            state=State.QUEUED, failures=0, next_attempt_at=None, lease_until=None
        )
        enqueue_many(_run_task(), [(pk,) for pk in paused])
    if paused:
        who = getattr(user, "username", "schedule")
        log.warning("account %s resumed (%d jobs) by %s", account.code, len(paused), who)
    return len(paused)


def sweep():
    """Dispatch due jobs nobody holds, deliveries at the head of their endpoint's queue,
    and resume accounts whose pause ended. Duplicates are harmless: runs take leases."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)
    free = Q(lease_until=None) | Q(lease_until__lte=now)
    queued_due = Q(state=State.QUEUED) & late("next_attempt_at", now, unset_field="created_at", unset_by=grace)
    running_due = Q(state=State.RUNNING) & (Q(next_attempt_at__lte=now) | Q(next_attempt_at=None))
    waiting_for_deliveries = Q(channel=Publication.Channel.WEBHOOK, step=Publication.Step.DELIVERIES)
    publications = dispatch_again(
        _run_task(),
        Publication.objects.filter(free).filter(queued_due | running_due).exclude(waiting_for_deliveries),
        limit=1000,
    )
    heads = _delivery_heads(now, grace, free)
    from publishing.tasks import deliver
    from publishing.tasks import resume_account as resume_task

    enqueue_many(deliver, [(pk,) for pk in heads])
    accounts = set(
        Publication.objects.filter(state=State.PAUSED, next_attempt_at__lte=now).values_list("account_id", flat=True)
    )
    enqueue_many(resume_task, [(account_id,) for account_id in accounts])
    return {"publications": len(publications), "deliveries": len(heads), "accounts": len(accounts)}


def _delivery_heads(now, grace, free):
    heads = []
    open_deliveries = Delivery.objects.filter(state__in=OPEN_STATES).order_by("endpoint_id", "pk")
    seen = set()
    for pk, endpoint_id, next_at, created, lease in open_deliveries.values_list(
        "pk", "endpoint_id", "next_attempt_at", "created_at", "lease_until"
    )[:5000]:
        if endpoint_id in seen:
            continue
        seen.add(endpoint_id)
        if lease is not None and lease > now:
            continue
        if (next_at is not None and next_at <= now) or (next_at is None and created <= grace):
            heads.append(pk)
    return heads
