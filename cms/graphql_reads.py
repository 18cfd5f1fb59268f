"""Cached persisted reads' lean way through the WSGI server.

A front end reads by GET of a persisted query with its bearer token, and nearly
every such read is answered from the answer cache (api.local_cache, api.cache).
Through Django, the cached answer was a third of the request's CPU: ten middleware
(sessions, locale, CSRF, auth, messages...), the URL resolver, the request and
response objects and the request signals were the rest, so a cached read cost
more than the same bytes sent by a bare view (bench/graphql_reads_profile.py).

``route_cached_reads`` answers exactly ``GET /graphql/`` (and its HEAD) whose answer is cached for
the request's token, persisted query and variables straight from the WSGI environ,
with the headers the full stack sends (tests/graphql_api/test_lean_reads.py compares
them). Everything else goes to the full application untouched, and so does every
request the route has any doubt about: a miss, an expired client, a bad parameter or
token, a preview, a host not allowed, a plain-HTTP request under SECURE_SSL_REDIRECT,
Redis failing; the full stack answers those as it always did. What the route learns
of a query string and token, or of a request's host and language headers, it keeps
in small per-process memos (cleared when a setting changes, as in tests): the
answer's generations still decide, per request, whether a cached answer is current,
so a publish or a revoked token reaches the route within GRAPHQL_LOCAL_CACHE_SECONDS
as it reaches the view."""

from http import HTTPStatus

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.utils import translation

from api import cache, media_types
from api.memos import Memo
from cms.callers.principal import bearer_credentials, principal_key, token_digest
from cms.graphql_view import (
    READS,
    VARY,
    Operation,
    cache_control,
    cached_answer,
    etag_matches,
    max_request_bytes,
)
from cms.logs import REQUEST_ID_HEADER, id_for

PATH = "/graphql/"  # cms.urls
# The middleware whose effect on a cached read the route reproduces (its headers, the
# host check, the HTTPS redirect; the others do nothing to a GET by bearer token of a
# csrf-exempt view), and those that leave /graphql/ alone. With any other middleware
# installed the route stands aside: what that one does is not known here.
REPRODUCED = frozenset({
    "cms.logs.RequestIdMiddleware", "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware", "cms.bad_input.RefuseUnstorableText",
    "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware", "django.middleware.clickjacking.XFrameOptionsMiddleware",
})
PASSIVE = frozenset({"whitenoise.middleware.WhiteNoiseMiddleware"})  # static files only
MEMO_SIZE = 1024  # entries per memo; a full memo starts over (random query strings cannot grow it)

_reads = Memo(MEMO_SIZE)  # (query string, Authorization) -> (answer key, principal key), or None: the full stack's
_shapes = Memo(MEMO_SIZE)  # what the headers depend on -> (Content-Type, headers of every answer), or None: the full stack's


def route_cached_reads(application):
    """``application`` with cached persisted GETs (and HEADs) of /graphql/ answered by the lean route."""

    def route(environ, start_response):
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") in READS:
            answered = answer(environ, start_response)
            if answered is not None:
                return answered
        return application(environ, start_response)

    return route


def answer(environ, start_response):
    """The body of a cached read's answer, having started the response; None leaves the
    request to the full stack."""
    if environ.get("HTTP_X_PREVIEW_TOKEN") or not cache.enabled():
        return None
    try:
        read = _reads.get_or_compute((environ.get("QUERY_STRING", ""), environ.get("HTTP_AUTHORIZATION", "")), _read)
        if read is None:
            return None
        shape = _shapes.get_or_compute(_shape_key(environ), lambda key: _shape(environ))
        if shape is None:
            return None
        hit, _ = cached_answer(*read, environ.get("HTTP_IF_NONE_MATCH"))
    except Exception:  # noqa: BLE001 (the full stack meets it again, and answers and logs it as it does)
        return None
    if hit is None:
        return None
    body, status, etag = hit
    content_type, common = shape
    headers = [("ETag", etag), ("Cache-Control", cache_control()), *common,
               (REQUEST_ID_HEADER, id_for(environ.get("HTTP_X_REQUEST_ID", "")))]
    if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
        # No body, no Content-Type, no Content-Length of a body not sent (RFC 9110 8.6, 15.4.5).
        start_response("304 Not Modified", headers)
        return []
    start_response(_status_line(status), [("Content-Type", content_type), ("Content-Length", str(len(body))),
                                          *headers])
    # A HEAD's Content-Length is the GET's (RFC 9110 9.3.2), as the full stack sends it.
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _read(key):
    """(answer key, principal key) of a persisted GET by token, or None for any other
    request, or one the view refuses (it says why)."""
    query_string, authorization = key
    if not query_string or len(query_string) > max_request_bytes():
        return None
    try:
        token = bearer_credentials(authorization)
        if token is None:
            return None
        # As WSGIRequest.GET reads it.
        data = QueryDict(query_string.encode("iso-8859-1"), encoding=settings.DEFAULT_CHARSET).dict()
        operation = Operation(data)
        if operation.persisted is None:
            return None
        digest = token_digest(token)
    except Exception:  # noqa: BLE001 (ApiError, too many fields...: the full stack answers them)
        return None
    return operation.cache_key(digest), principal_key(digest)


def knows_the_middleware():
    """The middleware is the one reproduced, without CommonMiddleware's refusals and
    redirects that the route does not make (user agents refused, www. prepended)."""
    return (set(settings.MIDDLEWARE) - PASSIVE == REPRODUCED and not settings.DISALLOWED_USER_AGENTS
            and not settings.PREPEND_WWW)


def _shape_key(environ):
    ssl_header = settings.SECURE_PROXY_SSL_HEADER
    return (
        environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_HOST"), environ.get("HTTP_X_FORWARDED_PORT"),
        environ.get("SERVER_NAME"), environ.get("SERVER_PORT"), environ.get("wsgi.url_scheme"),
        environ.get(ssl_header[0]) if ssl_header else None,
        environ.get("HTTP_ACCEPT"), environ.get("HTTP_ACCEPT_LANGUAGE"), environ.get("HTTP_COOKIE"),
    )


def _shape(environ):
    """(Content-Type, the headers the view and the middleware give every answer to
    requests like this one), or None when the full stack would answer otherwise."""
    if not knows_the_middleware():
        return None
    request = WSGIRequest(environ)  # a GET's body is not read
    try:
        request.get_host()
    except DisallowedHost:
        return None  # CommonMiddleware's 400
    secure = request.is_secure()
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None  # SecurityMiddleware's redirect
    headers = [("Vary", f"{VARY}, Accept-Language"), ("Content-Language", _language(request))]
    if settings.SECURE_HSTS_SECONDS and secure:
        headers.append(("Strict-Transport-Security", _hsts()))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        policy = [v.strip() for v in policy.split(",")] if isinstance(policy, str) else policy
        headers.append(("Referrer-Policy", ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()))
    return media_types.negotiate(environ.get("HTTP_ACCEPT")), tuple(headers)


def _language(request):
    """The language LocaleMiddleware activates for the request (its Content-Language)."""
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(settings.ROOT_URLCONF)
    if i18n_patterns_used and not prefixed_default_language:
        return settings.LANGUAGE_CODE  # /graphql/ has no language prefix
    language = translation.get_language_from_request(request, check_path=i18n_patterns_used)
    with translation.override(language):
        return translation.get_language()


def _hsts():
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def _status_line(status):
    return f"{status} {HTTPStatus(status).phrase}"
