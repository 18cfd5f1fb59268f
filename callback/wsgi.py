"""The callback's lean way through the WSGI server.

WeChat's calls carry no session, cookie, language or CSRF token, and the view
refuses everything it does not expect, so Django's middleware (sessions, locale,
CSRF, auth, messages, clickjacking) and URL resolver only spend time on them: about
a third of a warm keyword answer's CPU. ``route_callbacks`` sends requests for
exactly ``/wechat/<code>/`` to a handler that runs the view alone, with Django's
request signals (database connection upkeep) and host validation; every other path,
``/wechat/<code>`` without its slash included, goes to the full application."""

import re

from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.http import HttpResponseBadRequest

from .views import wechat_callback

CALLBACK_PATH = re.compile(r"^/wechat/([^/]+)/$")


class CallbackHandler(WSGIHandler):
    """Django's WSGI handler with the callback view as its whole middleware chain."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._answer)

    def _answer(self, request):
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
        except DisallowedHost:
            return HttpResponseBadRequest(b"bad host", content_type="text/plain")
        code = CALLBACK_PATH.match(request.path_info).group(1)
        return wechat_callback(request, code)


def route_callbacks(application):
    """``application`` with /wechat/<code>/ answered by the lean handler."""
    callbacks = CallbackHandler()

    def route(environ, start_response):
        if CALLBACK_PATH.match(get_path_info(environ)):
            return callbacks(environ, start_response)
        return application(environ, start_response)

    return route
