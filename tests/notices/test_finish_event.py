"""TEMPLATESENDJOBFINISH: WeChat's word on a template message, arriving at the real
callback endpoint, updates the send; the callback also learns which openids follow
which account."""

import time

import pytest

from callback.models import Follower
from content.services.accounts import set_secret
from notices.models import Send
from tests.callback.conftest import (
    ORIGINAL_ID,
    TOKEN,
    WeChatSender,
    event_xml,
    text_xml,
)
from tests.support.content import committed

from .conftest import post_send

pytestmark = pytest.mark.integration

OPENID = "oBill_0000000000000000000001"


@pytest.fixture
def wechat(client, accounts):
    account = accounts["wx-sx-01"]
    account.original_id = ORIGINAL_ID
    account.save()
    with committed():
        set_secret(account, "callback_token", TOKEN)
    return WeChatSender(client, account)


def finish_xml(msgid, status, openid=OPENID):
    return event_xml(
        "TEMPLATESENDJOBFINISH", extra=f"<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status>"
    ).replace("oUser_0123456789abcdefghijkl", openid)


@pytest.mark.parametrize(
    "status,state,reason",
    [
        ("success", Send.State.DELIVERED, ""),
        ("failed:user block", Send.State.FAILED, "用户拒收"),
        ("failed: system failed", Send.State.FAILED, "system failed"),
    ],
)
def test_the_finish_event_records_the_outcome_once(client, bill, billing, wechat, status, state, reason):
    # given
    post_send(client, billing)
    send = Send.objects.get()
    # when: delivered, then retried by WeChat
    with committed():
        first = wechat.post(finish_xml(send.msgid, status))
    with committed():
        retry = wechat.post(finish_xml(send.msgid, status))
    # then
    assert first.content == retry.content == b"success"
    send.refresh_from_db()
    assert send.state == state and reason in send.reason and send.finished_at is not None


def test_an_event_of_another_message_changes_no_send(client, bill, billing, wechat):
    post_send(client, billing)
    with committed():
        wechat.post(finish_xml("3999999999", "failed:user block"))
    assert Send.objects.get().state == Send.State.SENT


def test_the_callback_learns_followers_and_the_sender_uses_them(client, bill, billing, accounts, wechat):
    # given: a follower of SX-01 writes, then unsubscribes
    wechat.post(text_xml("话费", from_user=OPENID))
    assert Follower.objects.get(openid=OPENID).account == accounts["wx-sx-01"]
    wechat.post(event_xml("unsubscribe").replace("oUser_0123456789abcdefghijkl", OPENID))
    # when
    response = post_send(client, billing)
    # then
    assert response.json()["errors"][0]["code"] == "UNSUBSCRIBED"
    assert not Send.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_emulator_delivers_the_event_to_the_live_callback(live_server, matrix, accounts, wechat_emulator, client):
    # given: SX-01 takes callbacks; the emulator knows its code and token
    from tests.support.api import make_api_client

    from .conftest import make_definition

    account = accounts["wx-sx-01"]
    set_secret(account, "callback_token", "emulator-token")
    wechat_emulator.state.configure(template_event_delay_ms=10, callback_base=live_server.url)
    wechat_emulator.state.register(
        account.app_id, code=account.code, original_id="gh_0123456789ab", callback_token="emulator-token"
    )
    make_definition(matrix["province"], [account])
    _client, token = make_api_client("billing-e2e", matrix["branch1"], [account])
    # when
    assert post_send(client, token).status_code == 202
    deadline = time.monotonic() + 10
    while Send.objects.get().state != Send.State.DELIVERED and time.monotonic() < deadline:
        time.sleep(0.05)
    # then
    assert Send.objects.get().state == Send.State.DELIVERED
    (callback,) = wechat_emulator.state.callbacks
    assert callback["http_status"] == 200 and callback["status"] == "success"
