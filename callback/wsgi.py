"""The callback's lean way through the WSGI server.

WeChat's calls carry no session, cookie, language or CSRF token, and the endpoint
refuses everything it does not expect, so Django's request and response objects,
middleware (sessions, locale, CSRF, auth, messages, clickjacking), URL resolver and
request signals only spend time on them: more than half of a warm keyword answer's
CPU. ``route_callbacks`` sends requests for exactly ``/wechat/<code>/`` to
``answer``, which reads the environ itself and calls the endpoint
(``views.respond``), with what Django would still have done for it: the
ALLOWED_HOSTS check, the database connection upkeep of the request signals (once,
after the request; the API's statement timeout given back before), the script prefix,
and a logged 500 for an unexpected error. Every other path, ``/wechat/<code>`` without
its slash included, goes to the full application."""

import logging
import re
from http import HTTPStatus
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest, get_path_info, get_script_name
from django.db import close_old_connections
from django.http import HttpRequest
from django.urls import set_script_prefix

from api import budget
from api.memos import Memo

from .views import TEXT, respond, run_after

logger = logging.getLogger("django.request")

CALLBACK_PATH = re.compile(r"^/wechat/([^/]+)/$")
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}

# Host header -> allowed, so the check is a dict look-up; bounded, as clients choose the header.
MAX_HOSTS_HELD = 64
_hosts = Memo(MAX_HOSTS_HELD)


def _django_allows(request):
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def host_allowed(environ):
    """Django's ALLOWED_HOSTS check of CommonMiddleware, decided by Django itself."""
    host = environ.get("HTTP_HOST")
    if host is None or (settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ):
        return _django_allows(WSGIRequest(environ))  # rare: the host comes from elsewhere
    return _hosts.get_or_compute(host, _host_allows)


def _host_allows(host):
    request = HttpRequest()
    request.META = {"HTTP_HOST": host}
    return _django_allows(request)


def query_params(environ):
    """The query string's values, the last of a repeated name winning as in QueryDict.get."""
    query = environ.get("QUERY_STRING", "")
    if not query.isascii():
        # WSGI hands over the bytes as latin-1; Django reads them as UTF-8.
        query = query.encode("iso-8859-1").decode("utf-8", "replace")
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if "%" in query or "+" in query or (limit is not None and query.count("&") >= limit):
        return dict(parse_qsl(query, keep_blank_values=True, max_num_fields=limit))
    # WeChat's own query (signature, timestamp, nonce...) has nothing to unquote: split it
    # as parse_qsl would, in a third of its time.
    return dict(pair.partition("=")[::2] for pair in query.split("&") if pair)


class Body:
    """The response body; the server's close() runs the deferred work once the reply is sent."""

    __slots__ = ("_after", "_content")

    def __init__(self, content, after):
        self._content = content
        self._after = after

    def __iter__(self):
        yield self._content

    def close(self):
        actions, self._after = self._after, ()
        run_after(actions)
        # As request_finished does. Once per request, not also before it as request_started
        # does: a warm answer runs no SQL, and this leaves no broken or aged connection for
        # the next request.
        close_old_connections()


def _send(start_response, status, content_type, content, headers=()):
    start_response(STATUS_LINES[status], [("Content-Type", content_type), ("Content-Length", str(len(content))),
                                          *headers])


def answer(environ, start_response, code):
    """One callback request, straight from the environ."""
    if not host_allowed(environ):
        _send(start_response, 400, TEXT, b"bad host")
        return Body(b"bad host", ())
    set_script_prefix(get_script_name(environ))
    budget.release()  # as cms.signal_handlers does for every request but the API's
    try:
        try:
            params = query_params(environ)
        except ValueError:  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
            reply = None
        else:
            reply = respond(environ["REQUEST_METHOD"].upper(), code, params, environ.get("CONTENT_LENGTH"),
                            environ["wsgi.input"].read)
    except Exception:
        logger.exception("Internal Server Error: %s", environ.get("PATH_INFO"), extra={"status_code": 500})
        _send(start_response, 500, TEXT, b"internal error")
        return Body(b"internal error", ())
    if reply is None:
        _send(start_response, 400, TEXT, b"too many fields")
        return Body(b"too many fields", ())
    _send(start_response, reply.status, reply.content_type, reply.content, reply.headers)
    return Body(reply.content, reply.after)


def route_callbacks(application):
    """``application`` with /wechat/<code>/ answered by ``answer``."""

    def route(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            path = get_path_info(environ)
        match = CALLBACK_PATH.match(path)
        if match:
            return answer(environ, start_response, match.group(1))
        return application(environ, start_response)

    return route
