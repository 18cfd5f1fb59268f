"""Sending a stored template message to WeChat, and recording what became of it.

A send is claimed under ``select_for_update``; over the account's pace
(``pace.py``) or while the account is paused on its daily quota (``wechat.quota``)
it waits for its turn without counting an attempt. The call carries the send's own
``client_msg_id``, so a retry after a lost answer (the client's in-call retries, or
this job run again by another worker) never makes WeChat send twice. Transient
errors come back with the one back-off (``wechat.retry`` via
``dispatch.retry_delay``) until ``PUBLISHING_MAX_FAILURES``; WeChat's refusals fail
the send with its code and reason. The TEMPLATESENDJOBFINISH event then marks the
message delivered, or failed with the reason WeChat gives."""

import hashlib
import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from publishing.services.dispatch import dispatch_again, enqueue, late, retry_delay
from wechat import quota
from wechat.client import client_for_account
from wechat.errors import DailyQuotaExceeded, PermanentError, TransientError
from wechat.retry import RetryPolicy

from . import pace
from .models import Send

log = logging.getLogger("notices")

State = Send.State
# WeChat's refusals an editor or a business system can act on.
REASONS = {
    40003: "openid 无效(不是该公众号的粉丝)",
    40037: "模板ID无效:请重新发布模板消息定义以重新获取",
    43004: "用户未关注该公众号",
    43101: "用户拒收该公众号的消息",
    47003: "字段值不符合模板要求",
}
# How many times an event that arrives before its send's msgid is stored is looked at again.
OUTCOME_TRIES = 5
EVENT_STATUS = {"success": (State.DELIVERED, ""), "failed:user block": (State.FAILED, "用户拒收(failed:user block)")}


_clients = threading.local()


def _client(account):
    """The account's WeChat client, kept per worker thread: building one loads the TLS
    trust store (about 50 ms, more than the send itself). A changed secret, address or
    retry setting builds a new one."""
    secret = account.app_secret.reveal() if account.app_secret and account.app_secret.readable else ""
    key = (
        account.app_id,
        account.api_base_url or settings.WECHAT_API_BASE_URL,
        hashlib.sha256(secret.encode()).hexdigest(),
        RetryPolicy.from_settings(),  # compared by its numbers (wechat/retry.py, the one policy)
        settings.WECHAT_HTTP_TIMEOUT,
    )
    cache = getattr(_clients, "by_key", None)
    if cache is None:
        cache = _clients.by_key = {}
    client = cache.get(key)
    if client is None:
        client = cache[key] = client_for_account(account)
    return client


def _claim(send_id):
    """The send, now SENDING with one more attempt; or None when it must not (yet) be sent."""
    with transaction.atomic():
        send = Send.objects.select_for_update().select_related("account").filter(pk=send_id).first()
        if send is None or send.state not in (State.QUEUED, State.SENDING):
            return None
        app_id = send.account.app_id
        until = quota.paused_until(app_id)
        if until is not None:
            _later(send, (until - datetime.now(quota.BEIJING)).total_seconds(), f"每日限额已用完,{until:%H:%M} 后继续")
            return None
        wait = pace.wait_seconds(app_id)
        if wait > 0:
            Send.objects.filter(pk=send.pk).update(due_at=timezone.now() + timedelta(seconds=wait))
            enqueue(_task(), send.pk, delay=wait)
            return None
        send.state = State.SENDING
        send.attempts += 1
        send.due_at = timezone.now()
        send.save(update_fields=["state", "attempts", "due_at"])
        return send


def _task():
    from .tasks import deliver

    return deliver


def _later(send, delay, reason):
    delay = max(1.0, delay)
    Send.objects.filter(pk=send.pk).update(state=State.QUEUED, reason=reason[:255],
                                           due_at=timezone.now() + timedelta(seconds=delay))
    enqueue(_task(), send.pk, delay=delay)


def _fail(send, errcode, reason):
    Send.objects.filter(pk=send.pk, state=State.SENDING).update(
        state=State.FAILED, errcode=errcode, reason=reason[:255], finished_at=timezone.now()
    )


def deliver(send_id):
    """Send one stored template message; returns its state."""
    send = _claim(send_id)
    if send is None:
        return None
    data = {key: {"value": value} for key, value in send.values.items()}
    try:
        msgid = _client(send.account).send_template_message(
            send.openid, send.template_id, data, url=send.url, client_msg_id=send.wechat_client_msg_id
        )
    except DailyQuotaExceeded as exc:
        until = exc.paused_until or quota.quota_reset_after(datetime.now(quota.BEIJING))
        with transaction.atomic():
            _later(send, (until - datetime.now(quota.BEIJING)).total_seconds(), f"每日限额已用完:{exc.reason}")
        return State.QUEUED
    except TransientError as exc:
        if send.attempts >= settings.PUBLISHING_MAX_FAILURES:
            _fail(send, exc.errcode, f"多次重试仍失败:{exc.reason}")
            return State.FAILED
        with transaction.atomic():
            _later(send, retry_delay(send.attempts), f"稍后重试:{exc.reason}")
        return State.QUEUED
    except PermanentError as exc:
        _fail(send, exc.errcode, f"{exc.errcode} {REASONS.get(exc.errcode) or exc.errmsg}")
        return State.FAILED
    except ValidationError as exc:
        _fail(send, None, "; ".join(exc.messages))
        return State.FAILED
    # Conditional: never over a state another run of this job already wrote.
    Send.objects.filter(pk=send.pk, state=State.SENDING).update(
        state=State.SENT, msgid=str(msgid), sent_at=timezone.now(), reason="", errcode=None
    )
    return State.SENT


def record_outcome(app_id, msg_id, status, tries=0):
    """Apply a TEMPLATESENDJOBFINISH event to its send; the event may overtake the
    send's own answer, so an unknown msgid is looked at again a few times."""
    state, reason = EVENT_STATUS.get(status, (State.FAILED, f"微信发送失败({status[:64]})"))
    matched = (
        Send.objects.filter(account__app_id=app_id, msgid=str(msg_id))
        .exclude(state=state)
        .update(state=state, reason=reason, finished_at=timezone.now())
    )
    if matched or Send.objects.filter(account__app_id=app_id, msgid=str(msg_id)).exists():
        return state
    if tries + 1 < OUTCOME_TRIES:
        from .tasks import record_outcome as again

        enqueue(again, app_id, str(msg_id), status, tries + 1, delay=retry_delay(tries + 1))
    else:
        log.info("TEMPLATESENDJOBFINISH for msgid %s of %s: no send of this platform", msg_id, app_id)
    return None


# A send whose job is this late (queued past its due time, or claimed and never
# finished) lost its message: a broker restart, a worker killed outright.
STALE = timedelta(minutes=10)


def sweep(now=None):
    """Send again every send whose job message was lost (beat's ``notices.sweep``);
    how many. WeChat drops a repeat by the send's client_msg_id, the claim keeps two
    runs apart."""
    stale = (now or timezone.now()) - STALE
    lost = Send.objects.filter(state__in=(State.QUEUED, State.SENDING)).filter(
        late("due_at", stale, unset_field="created_at")
    )
    with transaction.atomic():
        ids = dispatch_again(_task(), lost, limit=10_000)
        # Due again later: a sweep before this run starts does not send it twice more.
        Send.objects.filter(pk__in=ids).update(due_at=timezone.now())
    return len(ids)
