"""Fixtures of the WeChat callback: an official account with its secrets, published
rules, and a sender that speaks to the endpoint the way WeChat does. Safe-mode
requests are sealed, and replies opened, with wechatpy (an independent
implementation), so the endpoint's envelope is checked against another one."""

import base64
import os
import time
from itertools import count

import pytest
from django.core.cache import cache
from wechatpy.crypto import WeChatCrypto

from content.models import AutoReply
from content.services.accounts import set_secret
from tests.support.content import committed, publish
from callback import logbook as logbook_module
from callback import table
from callback.crypto import signature

TOKEN = "callback-token-123"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
OPENID = "oUser_0123456789abcdefghijkl"
ORIGINAL_ID = "gh_0123456789ab"

# The Redis database of this feature's integration tests, under its own key prefix.
REDIS_CACHES = {
    "default": {
        "BACKEND": "cms.cache.RedisCache",
        "LOCATION": os.environ.get("CALLBACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/6"),
        "KEY_PREFIX": "test-callback",
    }
}

_msg_ids = count(6_000_000_000_000_000_000)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    table._compiled.clear()
    logbook_module._purge_checked_at = float("-inf")
    yield
    cache.clear()
    table._compiled.clear()


@pytest.fixture
def account(matrix):
    account = matrix["account_branch1"]
    account.original_id = ORIGINAL_ID
    account.save()
    with committed():
        set_secret(account, "callback_token", TOKEN)
        set_secret(account, "encoding_aes_key", AES_KEY)
    return account


@pytest.fixture
def rule(account):
    """Create and publish an auto-reply of the account."""

    def make(kind="keyword", publish_it=True, **fields):
        fields.setdefault("reply_text", f"reply of {fields.get('keyword') or fields.get('event_key') or kind}")
        reply = AutoReply.objects.create(account=fields.pop("account", account), kind=kind, live=False, **fields)
        return publish(reply) if publish_it else reply

    return make


@pytest.fixture
def imported_rule(account):
    """A live rule written directly, as a bulk import does, bypassing the admin's
    validation and Wagtail's publish; ``manage.py rebuild_reply_tables`` serves it."""

    def make(kind="keyword", **fields):
        fields.setdefault("reply_text", f"reply of {fields.get('keyword') or kind}")
        return AutoReply.objects.create(account=fields.pop("account", account), kind=kind, live=True, **fields)

    return make


def text_xml(content, msg_id=None, to_user=ORIGINAL_ID, from_user=OPENID):
    msg_id = next(_msg_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName><FromUserName><![CDATA[{from_user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event, event_key="", create_time=None, extra=""):
    create_time = int(time.time()) if create_time is None else create_time
    key = f"<EventKey><![CDATA[{event_key}]]></EventKey>" if event_key else ""
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{key}{extra}</xml>"
    )


class WeChatSender:
    """Posts to /wechat/<code>/ as WeChat would, in plain, safe or compatible mode."""

    def __init__(self, client, account, token=TOKEN, aes_key=AES_KEY):
        self.client = client
        self.account = account
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, account.app_id)
        self.url = f"/wechat/{account.code}/"

    def signed_params(self, timestamp=None, nonce="372183"):
        timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
        return {"timestamp": timestamp, "nonce": nonce, "signature": signature(self.token, timestamp, nonce)}

    def post(self, xml, mode="plain", params=None):
        params = dict(params or self.signed_params())
        body = xml
        if mode in ("safe", "compatible"):
            sealed = self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
            encrypt = sealed.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
            params.update(encrypt_type="aes", msg_signature=signature(self.token, params["timestamp"], params["nonce"], encrypt))
            if mode == "safe":
                body = f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            else:
                body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        return self.post_raw(body, params)

    def post_raw(self, body, params):
        """POST ``body`` as it is, with ``params`` in the query string."""
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.post(f"{self.url}?{query}", data=body.encode("utf-8"), content_type="text/xml")

    def reply(self, response, mode="plain"):
        """The plain reply XML of a response (opened with wechatpy in safe modes)."""
        assert response.status_code == 200, response.content
        body = response.content.decode("utf-8")
        if mode == "plain" or body == "success":
            return body
        import xmltodict

        envelope = xmltodict.parse(body)["xml"]
        return self.crypto.decrypt_message(body, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])


@pytest.fixture
def wechat(client, account):
    return WeChatSender(client, account)
