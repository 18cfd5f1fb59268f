"""Beat's ``broadcasts.sweep`` (every ``BROADCAST_SWEEP_SECONDS``): nothing a lost
message or a lost event left behind stays unfinished.

- A send or preview whose job message was lost (a broker restart, a worker killed
  before it claimed it) is sent to the workers again; the send's fixed clientmsgid
  and its claim make a second submit harmless.
- A send WeChat took whose MASSSENDJOBFINISH event never reached the callback is asked
  about after ``BROADCAST_FINISH_WAIT_SECONDS`` (``message/mass/get``): done, failed or
  deleted is recorded (without the event's counts, which only the event carries); a send
  still SENDING is asked again on a later sweep."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing.services.articles import open_client
from publishing.services.dispatch import dispatch_again, late
from publishing.services.runner import Refused
from wechat.errors import WeChatError

from ..models import BroadcastPreview, BroadcastSend, State
from .jobs import STALE_CLAIM

log = logging.getLogger("broadcasts")


def lost_sends(now):
    stale = now - STALE_CLAIM
    waiting = Q(state=State.QUEUED) & late("claimed_at", stale, unset_field="queued_at")
    return BroadcastSend.objects.filter(waiting | Q(state=State.SENDING, claimed_at__lt=stale))


def lost_previews(now):
    return BroadcastPreview.objects.filter(state__in=(State.QUEUED, State.SENDING), created_at__lt=now - STALE_CLAIM)


def check_finish(send):
    """Ask WeChat how ``send`` ended; its msg_status, or None when WeChat could not say."""
    try:
        with open_client(send.account) as client:
            status = client.get_mass(send.msg_id)
    except (WeChatError, Refused) as exc:
        log.warning("broadcast send %s on %s: message/mass/get failed: %s", send.pk, send.account.code,
                    getattr(exc, "reason", exc))
        return None
    if status == "SENDING":
        return status
    still = BroadcastSend.objects.filter(pk=send.pk, state=State.SUBMITTED)  # the event may land meanwhile
    now = timezone.now()
    if status == "DELETE":
        still.update(state=State.DELETED, wechat_status=status, deleted_at=now, finished_at=now)
    elif status == "SEND_SUCCESS":
        still.update(state=State.SENT, wechat_status=status, finished_at=now, error="")
    else:
        still.update(state=State.FAILED, wechat_status=status[:32], finished_at=now,
                     error=_("微信群发结果:%(status)s") % {"status": status or "?"})
    return status


def sweep(now=None):
    """Re-dispatch lost jobs and settle sends whose finish event is overdue; a summary."""
    from ..tasks import run_preview, run_send

    now = now or timezone.now()
    resent = dispatch_again(run_send, lost_sends(now))
    # A preview is cheap and claims nothing: one lost before it ran is queued again,
    # one lost while it ran is failed (its tester may have it; previewing again is safe).
    previews = lost_previews(now)
    previews.filter(state=State.SENDING).update(state=State.FAILED, finished_at=now,
                                                error=_("预览任务中断,请重新预览"))
    requeued = dispatch_again(run_preview, previews.filter(state=State.QUEUED))
    overdue = now - timedelta(seconds=settings.BROADCAST_FINISH_WAIT_SECONDS)
    settled = [
        check_finish(send)
        for send in BroadcastSend.objects.select_related("account").filter(
            state=State.SUBMITTED, submitted_at__lt=overdue).exclude(msg_id="")
    ]
    return {"resent": len(resent), "previews": len(requeued),
            "settled": sum(1 for status in settled if status not in (None, "SENDING"))}
