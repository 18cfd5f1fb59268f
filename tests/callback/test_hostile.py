"""Hostile and broken requests: 4xx, never 500, and no database work."""

import base64

import pytest
from django.core.cache import cache

from callback.crypto import MessageCrypto, decode_aes_key, signature
from callback.messages import MAX_BODY_BYTES
from callback.models import MessageLog

from tests.support.content import committed

from .conftest import AES_KEY, ORIGINAL_ID, TOKEN, text_xml

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_DTD = """<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:1/evil.dtd"><xml/>"""

BAD_BODIES = {
    "empty": "",
    "not xml": "hello there",
    "unclosed": "<xml><ToUserName>gh_1",
    "wrong root": "<message><MsgType>text</MsgType></message>",
    "missing fields": "<xml><MsgType>text</MsgType></xml>",
    "bad create time": text_xml("a").replace("<CreateTime>", "<CreateTime>x"),
    "bad openid": text_xml("a", from_user="o<script>"),
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "external dtd": EXTERNAL_DTD,
    "publish job without info": text_xml("a").replace("<MsgType><![CDATA[text]]>", "<MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event>"),
}


@pytest.fixture
def warm(account, wechat, rule):
    """A warm reply table and the hourly purge done, so any query would be the request's."""
    rule(keyword="k", reply_text="v")
    assert wechat.post(text_xml("k")).status_code == 200
    return MessageLog.objects.count()


def _refused(response, status, logged, queries):
    assert response.status_code == status, response.content
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    assert MessageLog.objects.count() == logged


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_malformed_or_hostile_xml_answers_400_without_database(name, mode, warm, wechat, django_assert_num_queries):
    # given
    body = BAD_BODIES[name]
    params = wechat.signed_params()
    if mode == "safe":
        # The hostile XML is sealed properly: only the inner parse can refuse it.
        encrypt = MessageCrypto(decode_aes_key(AES_KEY), wechat.account.app_id).seal(body.encode())
        params.update(encrypt_type="aes", msg_signature=signature(TOKEN, params["timestamp"], params["nonce"], encrypt))
        body = f"<xml><ToUserName>{ORIGINAL_ID}</ToUserName><Encrypt>{encrypt}</Encrypt></xml>"
    # when
    with django_assert_num_queries(0) as queries:
        response = wechat.post_raw(body, params)
    # then
    _refused(response, 400, warm, queries)


@pytest.mark.parametrize("name", ["billion laughs", "external entity", "external dtd"])
def test_hostile_xml_in_the_outer_envelope_is_refused(name, warm, wechat, django_assert_num_queries):
    params = {**wechat.signed_params(), "encrypt_type": "aes", "msg_signature": "x"}
    with django_assert_num_queries(0) as queries:
        response = wechat.post_raw(BAD_BODIES[name], params)
    _refused(response, 400, warm, queries)


def test_wrong_signature_answers_403_and_changes_nothing(warm, wechat, django_assert_num_queries):
    # given
    params = wechat.signed_params()
    params["signature"] = "0" * 40
    # when
    with django_assert_num_queries(0) as queries:
        response = wechat.post(text_xml("k"), params=params)
    # then
    _refused(response, 403, warm, queries)


def test_wrong_msg_signature_answers_403(warm, wechat, django_assert_num_queries):
    # given: a sealed message whose msg_signature was computed over other data
    params = wechat.signed_params()
    encrypt = MessageCrypto(decode_aes_key(AES_KEY), wechat.account.app_id).seal(text_xml("k").encode())
    params.update(encrypt_type="aes", msg_signature=signature(TOKEN, params["timestamp"], params["nonce"], "other"))
    body = f"<xml><Encrypt>{encrypt}</Encrypt></xml>"
    # when
    with django_assert_num_queries(0) as queries:
        response = wechat.post_raw(body, params)
    # then
    _refused(response, 403, warm, queries)


@pytest.mark.parametrize(
    "payload",
    ["!!!not-base64!!!", base64.b64encode(b"0123456789abcdef").decode(), base64.b64encode(b"\x01" * 64).decode(), "other-app"],
)
def test_bad_aes_payload_answers_400(payload, warm, wechat, django_assert_num_queries):
    # given: correctly signed, but the payload does not open (or is another app's)
    if payload == "other-app":
        payload = MessageCrypto(decode_aes_key(AES_KEY), "wx-other").seal(text_xml("k").encode())
    params = wechat.signed_params()
    params.update(encrypt_type="aes", msg_signature=signature(TOKEN, params["timestamp"], params["nonce"], payload))
    # when
    with django_assert_num_queries(0) as queries:
        response = wechat.post_raw(f"<xml><Encrypt><![CDATA[{payload}]]></Encrypt></xml>", params)
    # then
    _refused(response, 400, warm, queries)


def test_oversized_body_answers_413(warm, wechat, django_assert_num_queries):
    body = text_xml("x" * (MAX_BODY_BYTES + 10))
    with django_assert_num_queries(0) as queries:
        response = wechat.post(body)
    _refused(response, 413, warm, queries)


@pytest.mark.parametrize("code, status", [
    ("no-such-account", 404), ("wx-sx-02", 404), ("bad code", 404), ("x" * 200, 404),
    ("%00", 400),  # a NUL in the path is bad input before it is an unknown account (cms.bad_input)
])
def test_unknown_account_answers_404_without_database(code, status, warm, client, wechat, django_assert_num_queries):
    # given: wx-sx-02 exists but has no callback token, so it takes no callbacks
    params = wechat.signed_params()
    # when
    with django_assert_num_queries(0) as queries:
        response = client.post(f"/wechat/{code}/?" + "&".join(f"{k}={v}" for k, v in params.items()),
                               data=text_xml("k").encode(), content_type="text/xml")
    # then
    _refused(response, status, warm, queries)


def test_unknown_encrypt_type_answers_400(warm, wechat):
    params = {**wechat.signed_params(), "encrypt_type": "des"}
    assert wechat.post(text_xml("k"), params=params).status_code == 400


def test_safe_mode_for_account_without_aes_key_answers_400(warm, wechat, account):
    from content.services.accounts import set_secret

    with committed():
        set_secret(account, "encoding_aes_key", "")
    assert wechat.post(text_xml("k"), "safe").status_code == 400
    assert wechat.post(text_xml("k"), "plain").status_code == 200


def test_other_methods_are_refused(warm, client, wechat):
    assert client.put(wechat.url).status_code == 405
    assert client.delete(wechat.url).status_code == 405


def test_refused_requests_leave_the_dedupe_cache_alone(warm, wechat):
    # given: a forged request carrying a real MsgId
    params = wechat.signed_params()
    params["signature"] = "f" * 40
    xml = text_xml("k", msg_id=5555)
    wechat.post(xml, params=params)
    # when: the genuine delivery arrives
    response = wechat.post(xml)
    # then: it is answered and logged, not taken for a retry
    assert b"<Content><![CDATA[v]]></Content>" in response.content
    assert MessageLog.objects.filter(excerpt="k").count() == 2
    assert cache.get("wechat_callback:purged") is True
