"""Delivery to WeChat: no duplicate under lost answers, WeChat's refusals recorded
with their code, transient errors retried, the daily quota waited out, and the pace
per account."""

import pytest

from notices import pace
from notices.models import Send
from wechat.models import AccountPause

from .conftest import VALUES, post_send

SEND = {"definition": "bill_reminder", "account": "wx-sx-01", "openid": "oBill_0000000000000000000001",
        "client_msg_id": "BILL-202505-0001"}

pytestmark = pytest.mark.integration


def test_a_lost_answer_does_not_send_twice(client, bill, billing, wechat_emulator):
    # given: WeChat sends the message, then the answer is lost on the way back
    wechat_emulator.state.script(endpoint="message/template/send", lose_response=True)
    # when
    post_send(client, billing)
    # then: asked twice, sent once, recorded with the one msgid
    assert wechat_emulator.state.calls[billing_app_id(bill)]["message/template/send"] == 2
    (message,) = wechat_emulator.state.messages
    assert Send.objects.get().msgid == str(message["msgid"])


def billing_app_id(bill):
    return bill.account_mappings.get(account__code="wx-sx-01").account.app_id


@pytest.mark.parametrize("errcode,needle", [(43101, "拒收"), (40003, "openid"), (40037, "重新发布")])
def test_wechats_refusal_fails_the_send_with_its_reason(
    client, bill, billing, accounts, wechat_emulator, errcode, needle
):
    # given
    app_id = accounts["wx-sx-01"].app_id
    if errcode == 43101:
        wechat_emulator.state.register(app_id, blocked_openids=["oBill_0000000000000000000001"])
    elif errcode == 40003:
        wechat_emulator.state.register(app_id, followers=["oSomeoneElse_00000000000001"])
    else:
        wechat_emulator.state.templates[app_id].clear()
    # when
    post_send(client, billing)
    # then
    send = Send.objects.get()
    assert send.state == Send.State.FAILED and send.errcode == errcode and needle in send.reason
    assert wechat_emulator.state.messages == []


def test_a_busy_wechat_is_retried_until_it_sends(client, bill, billing, wechat_emulator):
    # given: three busy answers (more than the client's in-call retries)
    wechat_emulator.state.script(endpoint="message/template/send", errcode=-1, times=3)
    # when
    post_send(client, billing)
    # then
    send = Send.objects.get()
    assert send.state == Send.State.SENT and send.attempts == 2
    assert len(wechat_emulator.state.messages) == 1


def test_the_daily_quota_pauses_the_account_and_the_send_waits(client, bill, billing, accounts, wechat_emulator):
    # given
    wechat_emulator.state.configure(daily_quota={"message/template/send": 0})
    # when
    post_send(client, billing)
    # then: queued for after the reset, the account paused, nothing sent
    send = Send.objects.get()
    assert send.state == Send.State.QUEUED and "每日限额" in send.reason
    assert AccountPause.objects.filter(app_id=accounts["wx-sx-01"].app_id).exists()
    assert wechat_emulator.state.messages == []


def test_an_account_sends_at_most_its_pace_per_second(settings):
    # given
    settings.NOTICES_SENDS_PER_SECOND = 2
    now = 1_800_000_000.25
    # when: four sends claim a slot within one second
    waits = [pace.wait_seconds("wx-pace", now=now) for _ in range(4)]
    # then: two go now, the others wait for the next second; another account is not held up
    assert waits == [0.0, 0.0, 0.75, 0.75]
    assert pace.wait_seconds("wx-other", now=now) == 0.0
    assert pace.wait_seconds("wx-pace", now=now + 1) == 0.0


def test_a_send_whose_job_message_was_lost_is_sent_once_by_the_sweep(client, bill, billing, wechat_emulator):
    from datetime import timedelta

    from django.test import TestCase
    from django.utils import timezone

    from notices.delivery import sweep

    # given: the API stored the send but its job never reached a worker (a broker restart)
    with TestCase.captureOnCommitCallbacks(execute=False):
        response = client.post("/api/notices/send/", data={**SEND, "values": dict(VALUES)},
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {billing}")
    assert response.status_code == 202, response.content
    send = Send.objects.get()
    assert send.state == Send.State.QUEUED and wechat_emulator.state.messages == []
    # when the sweep runs before the job is late: nothing
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep() == 0
    # when it runs once the job is late, then the message goes, once
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep(now=timezone.now() + timedelta(minutes=11)) == 1
    send.refresh_from_db()
    assert send.state == Send.State.SENT and len(wechat_emulator.state.messages) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep(now=timezone.now() + timedelta(minutes=11)) == 0
    assert len(wechat_emulator.state.messages) == 1
