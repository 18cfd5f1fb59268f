"""Webhook deliveries: each carries what changed in the account's bundle since the
version the endpoint last acknowledged, signed, retried with backoff for a bounded
time, every attempt logged.

Deliveries of one endpoint go strictly in order: a delivery waits while an earlier
one is open, and each one that ends hands over to the next. Both steps lock the
endpoint row, so a delivery created meanwhile is never left waiting for nobody."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from content.secrets import SecretUnreadable
from publishing import webhooks
from publishing.models import OPEN_STATES, Delivery, DeliveryAttempt, Publication, PublishBatch, State, WebhookEndpoint

from . import progress
from .dispatch import enqueue, retry_delay
from .runner import EARLY, Finished, Handed, checkpoint

log = logging.getLogger("publishing.webhooks")
# How long before its batch a delivery queued by the change log may be adopted by it.
ADOPT_WINDOW = timedelta(minutes=5)


def _deliver_task():
    from publishing.tasks import deliver

    return deliver


def start_webhook_publication(pub):
    """The webhook steps of a publication: one delivery per enabled endpoint. After an
    editor's publish the change log may already have queued the delivery that carries
    it; the publication adopts that one rather than sending a second."""
    endpoints = list(pub.account.webhook_endpoints.filter(enabled=True).order_by("pk"))
    with transaction.atomic():
        have = set(Delivery.objects.filter(publication=pub).values_list("endpoint_id", flat=True))
        for endpoint in endpoints:
            if endpoint.pk in have:
                continue
            adopted = _adoptable(pub, endpoint)
            if adopted is not None:
                Delivery.objects.filter(pk=adopted.pk).update(publication=pub)
                continue
            delivery = Delivery.objects.create(endpoint=endpoint, publication=pub)
            enqueue(_deliver_task(), delivery.pk)
        checkpoint(pub, step=Publication.Step.DELIVERIES)
    if not endpoints and not have:
        return Finished()
    transaction.on_commit(lambda: progress.settle_webhook_publication(pub.pk))
    return Handed()


def _adoptable(pub, endpoint):
    """A delivery the change log queued for this publish: not owned, not failed, and
    still to be composed or already carrying the account's current version."""
    if pub.batch.origin != PublishBatch.Origin.EDITOR:
        return None
    from publishing.changes.services import current_version

    candidate = (
        Delivery.objects.filter(
            endpoint=endpoint, publication=None, replay_of=None, created_at__gte=pub.batch.created_at - ADOPT_WINDOW
        )
        .exclude(state__in=(State.FAILED, State.CANCELLED))
        .order_by("-pk")
        .first()
    )
    if candidate is None:
        return None
    if candidate.body is None or _reached(candidate.version, current_version(endpoint.account)):
        return candidate
    return None


def compose(endpoint):
    """(since, version, body) of the next delivery: the full bundle for an endpoint
    that never acknowledged one, else the delta since its acknowledged version, each
    item with its rendition for the account's channel (publishing/changes/renditions.py)."""
    from publishing.changes.services import build_bundle, bundle_delta, current_version

    account = endpoint.account
    since = endpoint.acked_version
    version = current_version(account)
    if since is None:
        kind, data = "bundle", build_bundle(account, with_renditions=True)
    else:
        kind, data = "delta", bundle_delta(account, since, with_renditions=True)
    if isinstance(data, dict) and data.get("version") is not None:
        version = data["version"]  # what the document actually covers
    document = {"type": kind, "account": account.code, "since": since, "version": version, "data": data}
    return since, version, json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _claim(delivery_id):
    from publishing.changes.services import read_consistently

    with transaction.atomic():
        # The change log's writer lock before any row, as writers take it: a writer
        # holding it may wait for this endpoint's row (cover_changes), and locking the
        # row first deadlocked them (seen in bench/releases.py).
        read_consistently()
        endpoint_id = Delivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
        if endpoint_id is None:
            return None
        endpoint = WebhookEndpoint.objects.select_for_update().select_related("account").get(pk=endpoint_id)
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        now = timezone.now()
        if delivery.state not in (State.QUEUED, State.RUNNING):
            return None
        if delivery.lease_until and delivery.lease_until > now:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now + EARLY:
            return None
        if Delivery.objects.filter(endpoint_id=endpoint_id, pk__lt=delivery.pk, state__in=OPEN_STATES).exists():
            return None  # an earlier delivery hands over to this one when it ends
        if not endpoint.enabled:
            _end(delivery, State.CANCELLED, error="端点已停用")
            return None
        if delivery.body is None:
            delivery.since_version, delivery.version, delivery.body = compose(endpoint)
        delivery.state = State.RUNNING
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.next_attempt_at = None
        delivery.lease_until = now + timedelta(seconds=settings.PUBLISHING_WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
        delivery.save()
        return delivery, endpoint


def deliver(delivery_id):
    """One attempt of a delivery (when it is its turn); returns its state afterwards."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return None
    delivery, endpoint = claimed
    try:
        secret = endpoint.secret.reveal()
    except SecretUnreadable as exc:
        # Stored under a retired CMS_SECRETS_KEY: a failed attempt that says so, retried
        # on the usual schedule (the key may come back to the fallbacks).
        return _record(delivery.pk, webhooks.Response(None, "", str(exc)[:webhooks.RESPONSE_EXCERPT], 0))
    response = webhooks.post(
        endpoint.url, secret, delivery.body, delivery_id=delivery.pk, account_code=endpoint.account.code,
    )
    return _record(delivery.pk, response)


def _record(delivery_id, response):
    with transaction.atomic():
        delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, status_code=response.status_code,
            response_body=response.body, error=response.error, duration_ms=response.duration_ms,
            started_at=timezone.now() - timedelta(milliseconds=response.duration_ms),
        )
        delivery.last_status_code = response.status_code
        delivery.last_error = response.error
        delivery.lease_until = None
        if delivery.state != State.RUNNING:
            delivery.save(update_fields=["last_status_code", "last_error", "lease_until"])
            return delivery.state  # cancelled while in flight
        if response.succeeded:
            if delivery.replay_of_id is None:
                endpoint.acked_version = delivery.version
                endpoint.save(update_fields=["acked_version"])
            _end(delivery, State.DONE)
            return State.DONE
        window = timedelta(seconds=settings.PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS)
        if timezone.now() - delivery.first_attempt_at >= window:
            log.error("webhook delivery %s to %s given up after %d attempts: %s", delivery.pk, endpoint.url,
                      delivery.attempts, response.error)
            _end(delivery, State.FAILED, error=f"{delivery.attempts}次尝试均失败:{response.error}")
            return State.FAILED
        delay = retry_delay(delivery.attempts)
        delivery.state = State.QUEUED
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        delivery.save()
        log.info("webhook delivery %s to %s: %s; retry in %.1fs", delivery.pk, endpoint.url, response.error, delay)
        enqueue(_deliver_task(), delivery.pk, delay=delay)
        return State.QUEUED


def _end(delivery, state, error=""):
    """Finish a delivery (the endpoint row is locked) and hand over to the next one."""
    delivery.state = state
    delivery.finished_at = timezone.now()
    delivery.lease_until = None
    delivery.next_attempt_at = None
    if error:
        delivery.last_error = error
    delivery.save()
    following = (
        Delivery.objects.filter(endpoint_id=delivery.endpoint_id, pk__gt=delivery.pk, state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        enqueue(_deliver_task(), following)
    if delivery.publication_id and delivery.replay_of_id is None:
        publication_id = delivery.publication_id
        transaction.on_commit(lambda: progress.settle_webhook_publication(publication_id))


def cover_changes(account_ids, version):
    """Make sure each enabled endpoint of these accounts gets a delivery that carries
    ``version``: one still to be composed will, else a new one is queued."""
    for endpoint in WebhookEndpoint.objects.filter(account_id__in=account_ids, enabled=True):
        with transaction.atomic():
            WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
            deliveries = Delivery.objects.filter(endpoint=endpoint, replay_of=None)
            if deliveries.filter(state__in=OPEN_STATES, body=None).exists():
                continue  # one still to be composed will carry the change
            waiting = Publication.objects.filter(
                account_id=endpoint.account_id, channel=Publication.Channel.WEBHOOK,
                state__in=(State.QUEUED, State.RUNNING), step=Publication.Step.START,
            )
            if waiting.exists():
                continue  # its delivery is not created yet and will be composed after this change
            sent_or_sending = deliveries.exclude(version=None).exclude(state__in=(State.FAILED, State.CANCELLED))
            composed = sent_or_sending.order_by("-pk").values_list("version", flat=True).first()
            if composed is not None and _reached(composed, version):
                continue
            delivery = Delivery.objects.create(endpoint=endpoint)
            enqueue(_deliver_task(), delivery.pk)


def _reached(composed, version):
    try:
        return int(composed) >= int(version)
    except (TypeError, ValueError):
        return composed == version


def replay(delivery, user=None):
    """Send a delivery's body again, as a new delivery at the end of the endpoint's queue."""
    with transaction.atomic():
        copy = Delivery.objects.create(
            endpoint_id=delivery.endpoint_id, replay_of=delivery, body=delivery.body,
            since_version=delivery.since_version, version=delivery.version,
        )
        enqueue(_deliver_task(), copy.pk)
    log.info("webhook delivery %s replayed as %s by %s", delivery.pk, copy.pk, getattr(user, "username", "-"))
    return copy
