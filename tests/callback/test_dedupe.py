"""WeChat retries a delivery three times: each retry gets the same bytes while nothing
was published in between (the reply is a function of the delivery), and nothing
happens twice."""

import socket
import threading

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from callback import dedupe, table
from callback.models import MessageLog
from tests.support.content import committed, publish

from .conftest import REDIS_CACHES, WeChatSender, event_xml, text_xml


@pytest.fixture
def on_redis():
    """The shared Redis cache several gunicorn workers would use: claims read their
    answer after the reply."""
    with override_settings(CACHES=REDIS_CACHES):
        caches["default"].clear()
        table._compiled.clear()
        yield caches["default"]
        caches["default"].clear()
        table._compiled.clear()


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


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_retried_message_on_redis_is_answered_once_and_identically(mode, on_redis, account, wechat, rule):
    # given
    rule(keyword="流量", reply_text="流量查询")
    xml = text_xml("流量", msg_id=1234567890123457)
    # when
    responses = [wechat.post(xml, mode, wechat.signed_params(nonce=str(n))) for n in range(4)]
    # then
    assert len({response.content for response in responses}) == 1 and "流量查询" in wechat.reply(responses[0], mode)
    assert MessageLog.objects.count() == 1


@pytest.mark.parametrize("cache_kind", ["locmem", "redis"])
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_retry_after_a_publish_gets_the_new_answer_and_is_logged_once(cache_kind, mode, request, account, wechat,
                                                                     rule):
    # given: a delivery answered from the published rule
    if cache_kind == "redis":
        request.getfixturevalue("on_redis")
    reply = rule(keyword="套餐", reply_text="旧套餐")
    xml = text_xml("套餐", msg_id=1234567890123458)
    first = wechat.post(xml, mode)
    # when: the rule is republished before WeChat's retry arrives
    reply.reply_text = "新套餐"
    publish(reply)
    retry = wechat.post(xml, mode)
    # then: the retry gets the current answer, and the message is logged once
    assert "旧套餐" in wechat.reply(first, mode) and "新套餐" in wechat.reply(retry, mode)
    assert MessageLog.objects.count() == 1


def test_reply_create_time_is_the_message_create_time(account, wechat, rule):
    rule(kind="subscribe", reply_text="欢迎")
    body = wechat.post(event_xml("subscribe", create_time=1_700_000_321)).content
    assert b"<CreateTime>1700000321</CreateTime>" in body


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


@pytest.mark.integration
def test_claims_of_a_batch_are_each_their_own_and_the_first_of_a_key_wins(on_redis):
    assert dedupe.claim("seen-before") is True
    assert dedupe.claim_many(["twice", "seen-before", "twice", "once"]) == [True, False, False, True]
    assert dedupe.claim_many([]) == [] and dedupe.claim("once") is False


@pytest.mark.integration
def test_a_batch_of_claims_survives_a_broken_connection(on_redis):
    # given: the kept connection broken (answers of a batch never arrive on it)
    assert dedupe.claim("before") is True
    dedupe._local.line.connection._sock.shutdown(socket.SHUT_RDWR)
    # then: the batch is sent once more on a fresh connection
    assert dedupe.claim_many(["before", "fresh"]) == [False, True]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_batched_log_rows_of_retries_are_left_out(on_redis, account, wechat, rule, settings):
    # given: rows batched (only explicit flushes here), a delivery already logged
    from callback.logbook import logbook

    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = 60_000
    rule(keyword="流量", reply_text="流量查询")
    logged, retried_later = text_xml("流量", msg_id=1234567890123458), text_xml("流量", msg_id=1234567890123459)
    wechat.post(logged)
    logbook.flush()
    # when: a retry of it, another message twice and once more in the next batch
    responses = [wechat.post(xml, params=wechat.signed_params(nonce=str(n)))
                 for n, xml in enumerate([logged, retried_later, retried_later])]
    logbook.flush()
    wechat.post(retried_later, params=wechat.signed_params(nonce="9"))
    logbook.flush()
    # then: every delivery answered, each message logged once
    assert all("流量查询" in wechat.reply(response) for response in responses)
    assert MessageLog.objects.count() == 2


@pytest.mark.parametrize("flush_ms", [0, 60_000])
@pytest.mark.django_db(transaction=True)
def test_log_rows_are_written_when_redis_does_not_answer_their_claims(flush_ms, account, wechat, rule, settings,
                                                                        monkeypatch):
    from callback.logbook import logbook

    def unreachable(keys, seconds=30):
        raise ConnectionError("Redis is down")

    # given: rows written at once or batched (then flushed here), Redis down
    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = flush_ms
    rule(keyword="流量", reply_text="流量查询")
    monkeypatch.setattr(dedupe, "claim_many", unreachable)
    # when
    response = wechat.post(text_xml("流量", msg_id=1234567890123460))
    logbook.flush()
    # then: answered, and logged rather than never
    assert "流量查询" in wechat.reply(response) and MessageLog.objects.count() == 1


@pytest.mark.integration
def test_job_events_on_redis_are_signalled_once(on_redis, account, wechat):
    from callback.signals import template_send_finished

    calls = []
    template_send_finished.connect(lambda sender, **kwargs: calls.append(kwargs), dispatch_uid="test-once", weak=False)
    try:
        xml = event_xml("TEMPLATESENDJOBFINISH", create_time=1_700_000_456,
                        extra="<MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>")
        bodies = [wechat.post(xml).content for _ in range(3)]
    finally:
        template_send_finished.disconnect(dispatch_uid="test-once")
    assert bodies == [b"success"] * 3 and len(calls) == 1 and MessageLog.objects.count() == 1


@pytest.mark.integration
def test_claims_survive_redis_closing_the_kept_connection(on_redis):
    # given: the kept connection closed by the server (a restart, an idle timeout)
    import redis

    assert dedupe.claim("before", 30) is True
    redis.Redis.from_url(REDIS_CACHES["default"]["LOCATION"]).client_kill_filter(_type="normal", skipme=True)
    # then: a job event's claim is sent once more on a fresh connection, not refused
    assert dedupe.claim("after", 30) is True and dedupe.claim("before", 30) is False
