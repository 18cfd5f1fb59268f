"""The worker's side of mass sends: a preview, a send and a deletion on one account,
and the MASSSENDJOBFINISH event's counts.

A send is claimed under ``select_for_update`` (a claim older than ``STALE_CLAIM`` is
taken over: its worker died), its news draft is added once per content and account
(the publishing draft code: ``DraftRecord`` idempotency keys, images and covers
uploaded once), then submitted with the send's fixed clientmsgid. A busy WeChat or a
lost answer retries with capped backoff; a refusal fails the send with WeChat's reason."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing.services.articles import draft_article, open_client
from publishing.services.dispatch import enqueue, retry_delay
from publishing.services.runner import Refused
from wechat.calls.mass import MassMessage
from wechat.errors import TransientError, WeChatError

from ..models import Broadcast, BroadcastPreview, BroadcastSend, State
from . import rules

log = logging.getLogger("broadcasts")
STALE_CLAIM = datetime.timedelta(minutes=10)
MAX_REASON = 500


def _reason(exc):
    if isinstance(exc, WeChatError):
        return exc.reason
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return getattr(exc, "reason", None) or str(exc)


def _message(client, account, broadcast, digest):
    """The MassMessage of ``broadcast`` (a saved or revision copy) on ``account``."""
    if broadcast.kind == Broadcast.Kind.TEXT:
        return MassMessage("text", content=broadcast.text)
    problems = rules.content_problems(broadcast)
    if problems:
        raise ValidationError(problems)
    articles = [
        draft_article(
            client,
            account,
            article,
            _("第 %(n)s 篇图文 %(code)s:") % {"n": n, "code": article.code},
        )
        for n, article in enumerate(broadcast.news_group.ordered_articles(), start=1)
    ]
    # One draft per broadcast, content and account: the preview's draft is the send's.
    media_id = client.add_draft(
        articles, idempotency_key=f"broadcast:{broadcast.pk}:{digest[:32]}"
    )
    return MassMessage("mpnews", media_id=media_id)


def run_preview(preview_id):
    # Claimed: a preview the sweep queued again runs once.
    if not BroadcastPreview.objects.filter(pk=preview_id, state=State.QUEUED).update(state=State.SENDING):
        return
    preview = BroadcastPreview.objects.select_related("account", "broadcast").get(pk=preview_id)
    content = preview.broadcast.get_latest_revision_as_object()
    try:
        if rules.content_hash(content) != preview.content_hash:
            raise ValidationError(_("预览排队后内容又有修改:请重新预览"))
        with open_client(preview.account) as client:
            message = _message(client, preview.account, content, preview.content_hash)
            msg_id = client.preview_mass(
                message, touser=preview.touser, towxname=preview.towxname
            )
        preview.state, preview.msg_id = State.SENT, msg_id
    except (WeChatError, ValidationError, Refused) as exc:
        preview.state, preview.error = State.FAILED, _reason(exc)[:MAX_REASON]
    preview.finished_at = timezone.now()
    preview.save(update_fields=["state", "msg_id", "error", "finished_at"])


def _claim(send_id):
    stale = timezone.now() - STALE_CLAIM
    with transaction.atomic():
        send = (
            BroadcastSend.objects.select_for_update()
            .select_related("account", "broadcast")
            .filter(
                Q(state=State.QUEUED) | Q(state=State.SENDING, claimed_at__lt=stale),
                pk=send_id,
            )
            .first()
        )
        if send is None:
            return None
        send.state, send.claimed_at, send.attempts = (
            State.SENDING,
            timezone.now(),
            send.attempts + 1,
        )
        send.save(update_fields=["state", "claimed_at", "attempts"])
        return send


def _store(send, **fields):
    for name, value in fields.items():
        setattr(send, name, value)
    send.save(update_fields=list(fields))


def run_send(send_id):
    """Submit one account's send; it ends when the finish event (or a refusal) arrives."""
    send = _claim(send_id)
    if send is None:
        return
    broadcast = send.broadcast
    try:
        with open_client(send.account) as client:
            if not send.media_id and broadcast.kind == Broadcast.Kind.NEWS:
                _store(
                    send,
                    media_id=_message(
                        client, send.account, broadcast, send.content_hash
                    ).media_id,
                )
            message = (
                MassMessage("mpnews", media_id=send.media_id)
                if broadcast.kind == Broadcast.Kind.NEWS
                else MassMessage("text", content=broadcast.text)
            )
            submitted = client.send_mass(
                message,
                clientmsgid=send.clientmsgid,
                tag_id=send.tag_id,
                send_ignore_reprint=broadcast.send_ignore_reprint,
            )
    except TransientError as exc:
        if send.attempts >= settings.PUBLISHING_MAX_FAILURES:
            _store(
                send,
                state=State.FAILED,
                error=_reason(exc)[:MAX_REASON],
                finished_at=timezone.now(),
            )
            return
        _store(send, state=State.QUEUED, error=_reason(exc)[:MAX_REASON])
        from ..tasks import run_send as task

        with transaction.atomic():
            enqueue(task, send.pk, delay=retry_delay(send.attempts))
        return
    except (WeChatError, ValidationError, Refused) as exc:
        _store(
            send,
            state=State.FAILED,
            error=_reason(exc)[:MAX_REASON],
            finished_at=timezone.now(),
        )
        return
    if submitted.repeated:
        log.warning(
            "broadcast %s on %s: WeChat already had clientmsgid %s (msg_id %s); not sent again",
            broadcast.pk,
            send.account.code,
            send.clientmsgid,
            submitted.msg_id,
        )
    # The finish event may have come first (it updates by msg_id, which it could not find).
    _store(
        send,
        state=State.SUBMITTED,
        msg_id=submitted.msg_id,
        msg_data_id=submitted.msg_data_id,
        submitted_at=timezone.now(),
        error="",
    )


def run_delete(send_id):
    send = (
        BroadcastSend.objects.select_related("account")
        .filter(pk=send_id, state__in=(State.SUBMITTED, State.SENT))
        .exclude(msg_id="")
        .first()
    )
    if send is None:
        return
    try:
        with open_client(send.account) as client:
            client.delete_mass(send.msg_id)
    except (WeChatError, Refused, ValidationError) as exc:
        _store(send, error=_("删除失败:%(reason)s") % {"reason": _reason(exc)})
        return
    _store(send, state=State.DELETED, deleted_at=timezone.now(), error="")


def record_finish(
    account_code, msg_id, status, total_count, filter_count, sent_count, error_count
):
    """Store a MASSSENDJOBFINISH event on the send it reports; False when no send of
    this platform has that msg_id (a send made in WeChat's own back office)."""
    ok = status == "send success"
    updated = (
        BroadcastSend.objects.filter(account__code=account_code, msg_id=str(msg_id))
        .exclude(state=State.DELETED)
        .update(
            state=State.SENT if ok else State.FAILED,
            wechat_status=status[:32],
            total_count=total_count,
            filter_count=filter_count,
            sent_count=sent_count,
            error_count=error_count,
            finished_at=timezone.now(),
            error="" if ok else _("微信群发结果:%(status)s") % {"status": status},
        )
    )
    if (
        not updated
        and BroadcastSend.objects.filter(
            account__code=account_code, state=State.SENDING
        ).exists()
    ):
        # Our send's answer is not stored yet: refuse, WeChat delivers the event again.
        raise LookupError(f"mass send {msg_id} on {account_code} is not recorded yet")
    return bool(updated)
