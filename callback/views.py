"""The endpoint WeChat calls for each official account: /wechat/<account code>/."""

import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from content.models.organisations import code_validator

from .messages import MAX_BODY_BYTES
from .services import Refused, answer_message, verify
from .table import lookup

logger = logging.getLogger(__name__)


def _refusal(code, refused):
    logger.info("wechat callback for %s refused (%s): %s", code, refused.status, refused.reason)
    return HttpResponse(refused.reason.encode("utf-8"), status=refused.status, content_type="text/plain; charset=utf-8")


class CallbackResponse(HttpResponse):
    """Runs deferred work (the message log row) when the server closes the response,
    that is after WeChat has its reply."""

    def __init__(self, *args, after=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._after = list(after)

    def close(self):
        for action in self._after:
            try:
                action()
            except Exception:
                # The reply is already sent; a failed log row must not turn into a 500.
                logger.exception("deferred work of a wechat callback failed")
        self._after = []
        super().close()


def _body(request):
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit():
        raise Refused(400, "bad Content-Length")
    if int(length) > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    return request.body


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_callback(request, code):
    # Codes that cannot exist are refused before any cache or database look-up.
    if len(code) > 64 or not code_validator.regex.match(code):
        return HttpResponse(b"unknown account", status=404, content_type="text/plain")
    table = lookup(code)
    if table is None:
        return HttpResponse(b"unknown account", status=404, content_type="text/plain")
    if table.unreadable:
        logger.error("wechat callback for %s refused (503): %s", code, table.unreadable)
        return HttpResponse(b"account secrets unreadable", status=503, content_type="text/plain")
    try:
        if request.method == "GET":
            return HttpResponse(verify(table, request.GET).encode("utf-8"), content_type="text/plain; charset=utf-8")
        after = []
        reply = answer_message(table, request.GET, _body(request), defer=after.append)
    except Refused as refused:
        return _refusal(code, refused)
    content_type = "text/plain" if reply == b"success" else "application/xml; charset=utf-8"
    return CallbackResponse(reply, content_type=content_type, after=after)
