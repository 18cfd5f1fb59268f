"""Delivery to WeChat: no duplicate under lost answers, WeChat's refusals recorded
with their code, transient errors retried, the daily quota waited out, and the pace
per account."""

import pytest

from notices import pace
from notices.models import Send
from wechat.models import AccountPause

from .conftest import post_send

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
