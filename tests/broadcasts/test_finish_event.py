"""MASSSENDJOBFINISH through the real callback endpoint: the event WeChat (here the
emulator over HTTP) posts when a mass send ends records the counts on the send."""

import time

import pytest
from django.core.cache import cache

from broadcasts.models import Broadcast, BroadcastSend, State
from broadcasts.services import sending
from callback import table
from callback.crypto import signature
from content.services.accounts import set_secret
from tests.support.content import committed
from wechat.emulator import mass as emulated_mass

from .conftest import approve, followers, make_broadcast

pytestmark = pytest.mark.integration
TOKEN = "mass-callback-token"


def event(msg_id, status="send success", counts=(5, 4, 3, 1)):
    total, filtered, sent, errors = counts
    return (
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>{msg_id}</MsgID><Status><![CDATA[{status}]]></Status>"
        f"<TotalCount>{total}</TotalCount><FilterCount>{filtered}</FilterCount><SentCount>{sent}</SentCount>"
        f"<ErrorCount>{errors}</ErrorCount></xml>"
    )


def post(client, account, xml):
    stamp, nonce = str(int(time.time())), "8812"
    query = (
        f"timestamp={stamp}&nonce={nonce}&signature={signature(TOKEN, stamp, nonce)}"
    )
    return client.post(
        f"/wechat/{account.code}/?{query}", data=xml.encode(), content_type="text/xml"
    )


@pytest.fixture
def callback_account(accounts):
    cache.clear()
    table._compiled.clear()
    account = accounts["branch"]
    with committed():
        set_secret(account, "callback_token", TOKEN)
    yield account
    cache.clear()
    table._compiled.clear()


@pytest.fixture
def submitted(matrix, callback_account):
    broadcast = make_broadcast(
        matrix["branch1"], [callback_account], kind=Broadcast.Kind.TEXT, text="月底提醒"
    )
    return BroadcastSend.objects.create(
        broadcast=broadcast,
        account=callback_account,
        clientmsgid="ev-1",
        msg_id="3147483001",
        state=State.SUBMITTED,
    )


def test_the_finish_event_records_counts_once(client, callback_account, submitted):
    # when: delivered, then retried by WeChat
    first = post(client, callback_account, event(3147483001))
    retry = post(client, callback_account, event(3147483001, counts=(9, 9, 9, 0)))
    # then
    assert first.status_code == retry.status_code == 200 and first.content == b"success"
    submitted.refresh_from_db()
    assert (
        submitted.state,
        submitted.total_count,
        submitted.filter_count,
        submitted.sent_count,
        submitted.error_count,
        submitted.wechat_status,
    ) == (State.SENT, 5, 4, 3, 1, "send success")


def test_a_failed_send_is_recorded_with_wechats_status(
    client, callback_account, submitted
):
    post(
        client,
        callback_account,
        event(3147483001, status="err(30003)", counts=(5, 0, 0, 0)),
    )
    submitted.refresh_from_db()
    assert submitted.state == State.FAILED and "err(30003)" in submitted.error


def test_an_event_of_a_send_made_elsewhere_is_answered_and_ignored(
    client, callback_account, submitted
):
    assert post(client, callback_account, event(999)).status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED and submitted.sent_count is None


def test_an_event_before_our_send_stored_its_answer_is_refused_so_wechat_retries(
    client, callback_account, submitted
):
    # given: a send of ours is between the call and storing WeChat's msg_id
    BroadcastSend.objects.filter(pk=submitted.pk).update(state=State.SENDING, msg_id="")
    # when / then
    assert post(client, callback_account, event(3147483001)).status_code == 503
    BroadcastSend.objects.filter(pk=submitted.pk).update(
        state=State.SUBMITTED, msg_id="3147483001"
    )
    assert post(client, callback_account, event(3147483001)).status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == State.SENT


@pytest.mark.django_db(transaction=True)
def test_the_emulator_posts_the_event_to_the_endpoint_when_the_send_ends(
    live_server, matrix, accounts, wechat_emulator, branch_editor, branch_publisher
):
    # given: the emulator posts callbacks to this server, signed with the account's token
    account = accounts["branch"]
    set_secret(account, "callback_token", TOKEN)
    wechat_emulator.state.configure(publish_delay_ms=50, callback_base=live_server.url)
    wechat_emulator.state.register(
        account.app_id,
        code=account.code,
        original_id="gh_0123456789ab",
        callback_token=TOKEN,
    )
    followers(
        wechat_emulator,
        account,
        [("oA", [], False), ("oB", [], False), ("oC", [], True)],
    )
    broadcast = make_broadcast(
        matrix["branch1"], [account], kind=Broadcast.Kind.TEXT, text="流量月末提醒"
    )
    broadcast = approve(broadcast, branch_editor, branch_publisher)
    sending.request_preview(broadcast, account, touser="oA")
    # when
    sending.start_send(broadcast)
    # then
    send = BroadcastSend.objects.get(broadcast=broadcast)
    deadline = time.monotonic() + 10
    while send.state != State.SENT and time.monotonic() < deadline:
        time.sleep(0.05)
        send.refresh_from_db()
    assert (
        send.state,
        send.total_count,
        send.filter_count,
        send.sent_count,
        send.error_count,
    ) == (State.SENT, 3, 3, 2, 1)
    with wechat_emulator.state.lock:
        (delivered,) = [
            c
            for c in wechat_emulator.state.callbacks
            if c.get("event") == "MASSSENDJOBFINISH"
        ]
        assert (
            emulated_mass.book(wechat_emulator.state, account.app_id)["jobs"][
                int(send.msg_id)
            ]["sent"]
            == 2
        )
    assert delivered["http_status"] == 200
