"""WeChat retries a delivery three times: each retry gets the first answer's exact
bytes and nothing happens twice."""

import threading

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from callback.models import MessageLog

from tests.support.content import committed

from .conftest import REDIS_CACHES, WeChatSender, event_xml, text_xml


@pytest.mark.parametrize("mode", ["plain", "safe", "compatible"])
def test_retried_message_is_answered_once_and_identically(mode, account, wechat, rule):
    # given
    rule(keyword="流量", reply_text="流量查询")
    xml = text_xml("流量", msg_id=1234567890123456)
    # when: the delivery and WeChat's three retries (each retry signed afresh)
    bodies = [wechat.post(xml, mode, wechat.signed_params(nonce=str(n))).content for n in range(4)]
    # then
    assert len(set(bodies)) == 1
    assert MessageLog.objects.count() == 1


def test_retried_event_is_recognised_by_sender_and_create_time(account, wechat, rule):
    # given
    rule(kind="subscribe", reply_text="欢迎")
    xml = event_xml("subscribe", create_time=1_700_000_000)
    # when
    bodies = [wechat.post(xml, "safe").content for _ in range(3)]
    # then
    assert len(set(bodies)) == 1 and MessageLog.objects.count() == 1


def test_distinct_messages_with_the_same_text_are_each_answered(account, wechat, rule):
    rule(keyword="k", reply_text="v")
    wechat.post(text_xml("k", msg_id=1))
    wechat.post(text_xml("k", msg_id=2))
    assert MessageLog.objects.count() == 2


def test_same_msg_id_on_two_accounts_is_not_a_duplicate(client, matrix, account, wechat, rule):
    # given
    from content.services.accounts import set_secret

    other = matrix["account_branch2"]
    with committed():
        set_secret(other, "callback_token", "t2")
    # when
    wechat.post(text_xml("k", msg_id=42))
    WeChatSender(client, other, token="t2").post(text_xml("k", msg_id=42))
    # then
    assert MessageLog.objects.count() == 2


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_on_redis_get_the_same_bytes(matrix, settings):
    # given: the shared Redis cache several gunicorn workers would use
    from content.models import AutoReply
    from content.services.accounts import set_secret
    from callback import table

    from .conftest import AES_KEY, TOKEN

    with override_settings(CACHES=REDIS_CACHES):
        caches["default"].clear()
        table._compiled.clear()
        account = matrix["account_branch1"]
        set_secret(account, "callback_token", TOKEN)
        set_secret(account, "encoding_aes_key", AES_KEY)
        reply = AutoReply.objects.create(account=account, keyword="并发", reply_text="同一回答", live=False)
        reply.save_revision().publish()
        xml = text_xml("并发", msg_id=99887766)
        bodies, barrier = [], threading.Barrier(6)

        def deliver():
            sender = WeChatSender(Client(), account)
            barrier.wait()
            bodies.append(sender.post(xml, "safe").content)

        # when
        threads = [threading.Thread(target=deliver) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # then
        assert len(bodies) == 6 and len(set(bodies)) == 1 and b"<Encrypt>" in bodies[0]
        assert MessageLog.objects.count() == 1
        caches["default"].clear()
        table._compiled.clear()
