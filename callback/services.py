"""Answering WeChat's callbacks: verification, plain / safe / compatible messages,
deduplication of WeChat's retries, publish-job events and the message log."""

import functools
import hashlib
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from callback.signals import mass_send_finished, publish_job_finished, template_send_finished

from . import dedupe, replies
from .crypto import EnvelopeError, signature_matches
from .logbook import logbook
from .messages import MalformedMessage, encrypted_part, parse_message, parse_root
from .models import EXCERPT_CHARS, MessageLog

logger = logging.getLogger(__name__)

_DIGIT_RUN = re.compile(r"\d{5,}")


class Refused(Exception):
    """A request answered with a 4xx (or 503) status and no side effect."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _check_signature(table, params):
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    if not table.token or not signature_matches(params.get("signature", ""), table.token, timestamp, nonce):
        raise Refused(403, "signature does not match")
    max_age = settings.WECHAT_CALLBACK_MAX_AGE_SECONDS
    if max_age:
        # Bounds how long a captured signed URL can be replayed.
        if not timestamp.isascii() or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > max_age:
            raise Refused(403, "timestamp outside the accepted window")
    return timestamp, nonce


def verify(table, params):
    """The echostr to return for WeChat's GET verification."""
    _check_signature(table, params)
    echostr = params.get("echostr", "")
    if not echostr or len(echostr) > 128:
        raise Refused(400, "echostr missing")
    return echostr


def _open_envelope(table, params, root, timestamp, nonce):
    if table.crypto is None:
        raise Refused(400, "account has no EncodingAESKey for safe mode")
    encrypted = encrypted_part(root)
    if not signature_matches(params.get("msg_signature", ""), table.token, timestamp, nonce, encrypted):
        raise Refused(403, "msg_signature does not match")
    try:
        return parse_root(table.crypto.open(encrypted))
    except EnvelopeError as exc:
        raise Refused(400, f"bad safe-mode payload: {exc}") from None


def read_message(table, params, body):
    """(Inbound, encrypted) of a POST, after every check; Refused otherwise."""
    timestamp, nonce = _check_signature(table, params)
    encrypt_type = params.get("encrypt_type", "raw").lower()
    if encrypt_type not in ("raw", "aes"):
        raise Refused(400, "unknown encrypt_type")
    try:
        root = parse_root(body)
        encrypted = encrypt_type == "aes"
        if encrypted:
            # Compatible mode carries plain fields as well: only the sealed copy is trusted.
            root = _open_envelope(table, params, root, timestamp, nonce)
        return parse_message(root), encrypted
    except MalformedMessage as exc:
        raise Refused(400, str(exc)) from None


def _reply_bytes(table, inbound, answer, encrypted):
    if answer is None:
        return replies.SUCCESS
    reply = replies.render(answer, inbound)
    return replies.sealed(reply, table.crypto, table.token, inbound) if encrypted else reply


def _delivery_key(table, inbound):
    digest = hashlib.sha1(f"{table.code}\0{inbound.delivery_id}".encode("utf-8")).hexdigest()
    return f"wechat_callback:seen:{digest}"


def _now(action):
    action()


def answer_message(table, params, body, defer=_now):
    """The reply bytes of a POST. A retried delivery causes no second side effect (log
    row, job-event signal). ``defer`` takes the work that may wait for the reply to be on
    its way to WeChat (the view runs it then)."""
    inbound, encrypted = read_message(table, params, body)
    key = _delivery_key(table, inbound)
    if inbound.publish or inbound.mass or inbound.template_job:
        return _job_event(table, inbound, encrypted, key, defer)
    answer = table.answer(inbound)
    # A function of the delivery and the published rules: a retry gets the same bytes
    # unless a publish came in between (then it gets the current answer, recorded once).
    reply = _reply_bytes(table, inbound, answer, encrypted)
    # Logged for the first delivery only: the log's writer claims it (callback.logbook).
    defer(functools.partial(record, table, inbound, answer, encrypted, claim=key))
    return reply


def _job_event(table, inbound, encrypted, key, defer):
    """A publish, mass-send or template-send job's end: its signal is sent before the
    answer, as a failing receiver answers 503 for WeChat to retry; the claim is atomic, so
    of concurrent duplicates exactly one acts."""
    if not dedupe.claim(key):
        return replies.SUCCESS
    if inbound.publish:
        _finish_publish_job(table, inbound, key)
    elif inbound.mass:
        _report(mass_send_finished, table, key, app_id=table.app_id, account_code=table.code, **inbound.mass)
    else:
        _report(template_send_finished, table, key, app_id=table.app_id, account_code=table.code,
                openid=inbound.from_user, **inbound.template_job)
    defer(functools.partial(record, table, inbound, None, encrypted,
                            publish_job=bool(inbound.publish or inbound.mass)))
    return replies.SUCCESS


def _finish_publish_job(table, inbound, key):
    info = inbound.publish
    _report(
        publish_job_finished, table, key,
        app_id=table.app_id,
        account_code=table.code,
        publish_id=info["publish_id"],
        status=info["status"],
        article_id=info["article_id"],
        fail_idx=info["fail_idx"],
        article_urls=info["article_urls"],
    )


def _report(signal, table, key, **kwargs):
    """Send a job event's signal; a failing receiver answers 503 so WeChat retries."""
    results = signal.send_robust(sender=MessageLog, **kwargs)
    failures = [result for _receiver, result in results if isinstance(result, Exception)]
    if failures:
        for failure in failures:
            logger.error("job event receiver failed for account %s", table.code, exc_info=failure)
        # Forget the delivery so WeChat's retry runs the receivers again.
        cache.delete(key)
        raise Refused(503, "the job event could not be recorded")


def excerpt(inbound):
    """A short, masked excerpt: digit runs (phones, ID numbers) become asterisks."""
    if inbound.msg_type == "text":
        text = _DIGIT_RUN.sub(lambda m: "*" * len(m.group()), inbound.content)
    elif inbound.event.lower() in ("click", "view"):
        text = inbound.event_key
    else:
        return ""
    return text[:EXCERPT_CHARS]


def record(table, inbound, answer, encrypted, publish_job=False, claim=None):
    """Log one message (written with the process's next batch); with ``claim``, the
    delivery's dedupe key, only if it is the delivery's first."""
    if publish_job:
        job = inbound.publish.get("publish_id") or inbound.mass.get("msg_id", "")
        kind, rule_id, label = MessageLog.Matched.PUBLISH_JOB, None, job
    elif answer is None:
        kind, rule_id, label = MessageLog.Matched.NONE, None, ""
    else:
        kind, rule_id, label = answer.kind, answer.rule_id, answer.label
    values = {
        "account_id": table.account_id,
        "openid": inbound.from_user,
        "msg_type": inbound.msg_type,
        "event": inbound.event[:32],
        "excerpt": excerpt(inbound),
        "matched_kind": kind,
        "matched_rule_id": rule_id,
        "matched_label": label[:128],
        "encrypted": encrypted,
        "created_at": timezone.now(),
    }
    logbook.add(values, claim)
