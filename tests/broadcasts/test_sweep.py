"""Beat's broadcasts.sweep: a send whose finish event never came is settled by asking
WeChat (message/mass/get), a send whose job message was lost is sent (once), and a
preview lost before it ran is queued again."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from broadcasts.models import Broadcast, BroadcastPreview, BroadcastSend, State
from broadcasts.services import sending
from broadcasts.services.sweep import sweep
from tests.support.content import committed
from wechat.emulator import mass as emulated_mass

from .conftest import approve, first_follower, make_broadcast

pytestmark = pytest.mark.integration


@pytest.fixture
def approved(matrix, accounts, wechat_emulator, branch_editor, branch_publisher):
    account = accounts["branch"]
    broadcast = make_broadcast(matrix["branch1"], [account], kind=Broadcast.Kind.TEXT, text="话费八折,仅限本周")
    broadcast = approve(broadcast, branch_editor, branch_publisher)
    with committed():
        sending.request_preview(broadcast, account, touser=first_follower(wechat_emulator, account))
    return broadcast


def emulated_jobs(emulator, account):
    with emulator.state.lock:
        return list(emulated_mass.book(emulator.state, account.app_id)["jobs"].values())


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_send_whose_finish_event_was_lost_is_settled_by_asking_wechat(approved, accounts, wechat_emulator):
    account = accounts["branch"]
    with committed():
        (send,) = sending.start_send(approved)
    send.refresh_from_db()
    assert send.state == State.SUBMITTED
    # given WeChat finished the send but its event never reached the callback
    emulated_mass.finish(wechat_emulator.state, account.app_id, send.msg_id)
    # when the sweep runs before the wait is over, nothing is asked
    assert sweep()["settled"] == 0
    assert BroadcastSend.objects.get(pk=send.pk).state == State.SUBMITTED
    # when it runs after the wait
    with committed():
        assert sweep(now=later(31))["settled"] == 1
    # then the send is recorded as sent, by WeChat's word, without counts
    send.refresh_from_db()
    assert (send.state, send.wechat_status, send.sent_count) == (State.SENT, "SEND_SUCCESS", None)
    assert send.finished_at is not None
    assert wechat_emulator.state.calls[account.app_id]["message/mass/get"] == 1


def test_a_send_still_sending_at_wechat_is_asked_again_later(approved, accounts, wechat_emulator):
    wechat_emulator.state.config.publish_delay_ms = 600_000  # WeChat still sending for now
    with committed():
        (send,) = sending.start_send(approved)
    with committed():
        assert sweep(now=later(31))["settled"] == 0
    assert BroadcastSend.objects.get(pk=send.pk).state == State.SUBMITTED


def test_a_send_whose_job_was_lost_is_sent_once_by_the_sweep(approved, accounts, wechat_emulator):
    account = accounts["branch"]
    # given a send queued whose job message never reached a worker
    with TestCase.captureOnCommitCallbacks(execute=False):
        (send,) = sending.start_send(approved)
    assert BroadcastSend.objects.get(pk=send.pk).state == State.QUEUED
    assert emulated_jobs(wechat_emulator, account) == []
    # when the sweep runs, not yet stale: nothing; then stale: the job runs
    with committed():
        assert sweep()["resent"] == 0
    with committed():
        assert sweep(now=later(11))["resent"] == 1
    # then it went to WeChat once, and a second sweep sends nothing more
    assert BroadcastSend.objects.get(pk=send.pk).state == State.SUBMITTED
    with committed():
        assert sweep(now=later(11))["resent"] == 0
    assert len(emulated_jobs(wechat_emulator, account)) == 1


def test_a_preview_lost_before_it_ran_is_queued_again(matrix, accounts, wechat_emulator, approved):
    preview = BroadcastPreview.objects.get(broadcast=approved)
    assert preview.state == State.SENT
    lost = BroadcastPreview.objects.create(broadcast=approved, account=preview.account,
                                           content_hash=preview.content_hash, touser=preview.touser)
    with committed():
        assert sweep(now=later(11))["previews"] == 1
    lost.refresh_from_db()
    assert lost.state == State.SENT and lost.msg_id
