"""The lean route through the WSGI application the server runs (cms.wsgi): exactly
/wechat/<code>/ skips Django's middleware and is answered as through the full stack;
every other path, and a request for a host not allowed, is treated as Django would."""

import io
import time
from urllib.parse import urlencode

import pytest
import xmltodict
from django.core.cache import caches
from django.db import connection
from django.http import QueryDict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from callback import table
from callback.crypto import signature
from callback.models import MessageLog
from callback.wsgi import query_params
from cms.wsgi import application

from .conftest import REDIS_CACHES, WeChatSender, text_xml

pytestmark = pytest.mark.django_db(transaction=True)


def call(path, body=b"", method="POST", query="", host="testserver"):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "CONTENT_TYPE": "text/xml", "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": host, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    answer = {}
    result = application(environ, lambda status, headers: answer.update(status=status, headers=dict(headers)))
    try:
        content = b"".join(result)
    finally:
        result.close()
    return int(answer["status"].split()[0]), answer["headers"], content


def test_a_keyword_message_is_answered_through_the_lean_route(account, wechat, rule):
    # given
    rule(keyword="流量", reply_text="本月流量请回复CXLL")
    # when WeChat posts to the account's callback URL
    status, headers, content = call(wechat.url, text_xml("流量").encode(), query=urlencode(wechat.signed_params()))
    # then
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    assert "本月流量请回复CXLL" in content.decode()
    # and what the middleware would have added is not there (the route skipped it)
    assert "X-Frame-Options" not in headers


def test_a_wrong_signature_is_refused_on_the_lean_route(account, wechat):
    status, _headers, _content = call(wechat.url, text_xml("流量").encode(), query="signature=x&timestamp=1&nonce=2")
    assert status == 403


def test_a_host_not_allowed_is_refused(account, wechat):
    status, _headers, _content = call(wechat.url, text_xml("流量").encode(),
                                      query=urlencode(wechat.signed_params()), host="evil.example.com")
    assert status == 400


def test_other_paths_go_through_django(account, wechat):
    # the URL without its slash is redirected by Django's CommonMiddleware
    status, headers, _content = call(wechat.url.rstrip("/"), method="GET")
    assert status == 301 and headers["Location"].endswith(wechat.url)
    # and an admin page carries the middleware's headers
    status, headers, _content = call("/admin/login/", method="GET")
    assert status == 200 and headers.get("X-Frame-Options") == "DENY"


def test_verification_and_refusals_on_the_lean_route(account, wechat):
    # GET verification echoes echostr
    query = urlencode({**wechat.signed_params(), "echostr": "8371615837211"})
    assert call(wechat.url, method="GET", query=query)[::2] == (200, b"8371615837211")
    # other methods are refused, saying which are allowed
    status, headers, _content = call(wechat.url, method="PUT")
    assert status == 405 and headers["Allow"] == "GET, POST"
    # bodies over the limit, unknown accounts and absurd query strings too
    signed = urlencode(wechat.signed_params())
    assert call(wechat.url, b"x" * (33 * 1024), query=signed)[0] == 413
    assert call("/wechat/no-such-account/", text_xml("流量").encode(), query=signed)[0] == 404
    assert call(wechat.url, text_xml("流量").encode(), query="&".join(["a=1"] * 2000))[0] == 400


@pytest.mark.integration
def test_safe_mode_and_retries_on_the_lean_route_with_redis(account, rule):
    with override_settings(CACHES=REDIS_CACHES):  # the shared cache of the server's workers
        caches["default"].clear()
        table._compiled.clear()
        # given a safe-mode message
        rule(keyword="流量", reply_text="本月流量请回复CXLL")
        sender = WeChatSender(None, account)
        sealed = sender.crypto.encrypt_message(text_xml("流量"), "372183", str(int(time.time())))
        encrypt = sealed.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
        params = sender.signed_params()
        params.update(encrypt_type="aes",
                      msg_signature=signature(sender.token, params["timestamp"], params["nonce"], encrypt))
        body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
        # when WeChat delivers it, then retries it
        first = call(sender.url, body, query=urlencode(params))
        again = call(sender.url, body, query=urlencode(params))
        # then both get the same sealed reply, and the message is logged once
        assert first[0] == again[0] == 200 and first[2] == again[2]
        envelope = xmltodict.parse(first[2])["xml"]
        opened = sender.crypto.decrypt_message(first[2].decode(), envelope["MsgSignature"], envelope["TimeStamp"],
                                               envelope["Nonce"])
        assert "本月流量请回复CXLL" in opened
        assert MessageLog.objects.count() == 1
        caches["default"].clear()
        table._compiled.clear()


def test_a_warm_keyword_answer_on_the_lean_route_runs_no_sql(account, wechat, rule, settings):
    # given a warm table and log rows batched (production's default)
    settings.WECHAT_CALLBACK_LOG_FLUSH_MS = 60_000
    rule(keyword="流量", reply_text="本月流量请回复CXLL")
    call(wechat.url, text_xml("warm up").encode(), query=urlencode(wechat.signed_params()))
    # when
    with CaptureQueriesContext(connection) as queries:
        status, _headers, content = call(wechat.url, text_xml("流量").encode(), query=urlencode(wechat.signed_params()))
    # then
    assert status == 200 and "本月流量请回复CXLL" in content.decode()
    assert len(queries) == 0, [q["sql"] for q in queries]


@override_settings(GRAPHQL_STATEMENT_TIMEOUT_MS=200)
def test_the_api_statement_timeout_is_not_left_on_the_callbacks_connection(account, wechat, rule, monkeypatch):
    from callback import wsgi
    from tests.support.api import Api, make_api_client

    rule(keyword="流量", reply_text="本月流量请回复CXLL")
    _, token = make_api_client("前端", account.organisation, [account])
    # given an API request, which leaves its statement timeout on the connection for the next one
    assert Api(token).post("{ viewer { name } }")[0] == 200
    seen = []

    def respond(*args):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return real_respond(*args)

    real_respond = wsgi.respond
    monkeypatch.setattr(wsgi, "respond", respond)
    # when WeChat calls on the same connection
    status, _, content = call(wechat.url, text_xml("流量").encode(), query=urlencode(wechat.signed_params()))
    # then the callback runs without the API's timeout
    assert status == 200 and "本月流量请回复CXLL" in content.decode() and seen == ["0"]


@pytest.mark.parametrize("query", [
    "signature=ab12&timestamp=1700000000&nonce=372183&openid=oX_y-z",
    "a=1&a=2&b=&c&&d=x=y", "encrypt_type=aes&msg_signature=f%20g&x=a+b", "a=%E6%B5%81&b=%zz", "", "&", "=v",
])
def test_the_query_string_is_read_as_django_reads_it(query):
    # the route's own reading (a fast split when there is nothing to unquote) gives QueryDict.get's values
    django = QueryDict(query)
    assert query_params({"QUERY_STRING": query}) == {name: django.get(name) for name in django}
