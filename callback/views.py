"""The endpoint WeChat calls for each official account: /wechat/<account code>/.

``respond`` is the endpoint: method, account, signature, body and answer, as plain
values. The Django view below wraps it for the URLconf (tests, the full stack);
``callback.wsgi`` calls it straight from the WSGI environ on the server's hot path."""

import logging
from typing import NamedTuple

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from content.models.organisations import code_validator

from .messages import MAX_BODY_BYTES
from .services import Refused, answer_message, verify
from .table import lookup

logger = logging.getLogger(__name__)

TEXT = "text/plain"
TEXT_UTF8 = "text/plain; charset=utf-8"
ALLOWED_METHODS = ("GET", "POST")


class Reply(NamedTuple):
    status: int
    content_type: str
    content: bytes
    # Deferred work (the message log row), run once the reply is on its way to WeChat.
    after: tuple = ()
    headers: tuple = ()


def _refusal(code, refused):
    logger.info("wechat callback for %s refused (%s): %s", code, refused.status, refused.reason)
    return Reply(refused.status, TEXT_UTF8, refused.reason.encode("utf-8"))


def _body(content_length, read):
    length = content_length or "0"
    if not length.isdigit():
        raise Refused(400, "bad Content-Length")
    if int(length) > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    return read(int(length))


def respond(method, code, params, content_length, read):
    """The Reply to one request: ``params`` the query string's values (``.get``),
    ``read(n)`` the body's first n bytes, called once the request is otherwise valid."""
    if method not in ALLOWED_METHODS:
        return Reply(405, TEXT, b"method not allowed", headers=(("Allow", ", ".join(ALLOWED_METHODS)),))
    # Codes that cannot exist are refused before any cache or database look-up.
    if len(code) > 64 or not code_validator.regex.match(code):
        return Reply(404, TEXT, b"unknown account")
    table = lookup(code)
    if table is None:
        return Reply(404, TEXT, b"unknown account")
    if table.unreadable:
        logger.error("wechat callback for %s refused (503): %s", code, table.unreadable)
        return Reply(503, TEXT, b"account secrets unreadable")
    try:
        if method == "GET":
            return Reply(200, TEXT_UTF8, verify(table, params).encode("utf-8"))
        after = []
        reply = answer_message(table, params, _body(content_length, read), defer=after.append)
    except Refused as refused:
        return _refusal(code, refused)
    content_type = TEXT if reply == b"success" else "application/xml; charset=utf-8"
    return Reply(200, content_type, reply, tuple(after))


def run_after(actions):
    for action in actions:
        try:
            action()
        except Exception:
            # The reply is already sent; a failed log row must not turn into a 500.
            logger.exception("deferred work of a wechat callback failed")


class CallbackResponse(HttpResponse):
    """Runs deferred work (the message log row) when the server closes the response,
    that is after WeChat has its reply."""

    def __init__(self, *args, after=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._after = tuple(after)

    def close(self):
        actions, self._after = self._after, ()
        run_after(actions)
        super().close()


@csrf_exempt
def wechat_callback(request, code):
    reply = respond(request.method, code, request.GET, request.META.get("CONTENT_LENGTH"),
                    lambda _length: request.body)
    response = CallbackResponse(reply.content, status=reply.status, content_type=reply.content_type,
                                after=reply.after)
    for name, value in reply.headers:
        response[name] = value
    return response
