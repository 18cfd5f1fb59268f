"""Cached persisted reads through the WSGI application the server runs (cms.wsgi):
a read whose answer is cached skips Django's middleware (cms.graphql_reads) and is
answered as through the full stack, headers included; a publish or a revoked token
reaches it within GRAPHQL_LOCAL_CACHE_SECONDS; everything else is Django's."""

import datetime
import gzip
import io
import json
import os
import re
import time
import uuid
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone

from api import local_cache, persisted
from cms.callers.clients import create_client, issue_token, revoke_tokens
from cms.graphql_reads import route_cached_reads
from cms.wsgi import _django as full_stack
from cms.wsgi import application
from tests.cms.test_production_refusals import _run as run_in_production
from tests.support.content import committed
from tests.support.factories import PackageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def answer_cache():
    """The shared answer cache in Redis, the in-process tier off unless a test turns it on."""
    cache = {
        "CACHES": {"default": {
            "BACKEND": "cms.cache.RedisCache",
            "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
            "KEY_PREFIX": f"test-lean-{uuid.uuid4().hex[:8]}", "TIMEOUT": 120,
        }},
        "GRAPHQL_CACHE": True, "GRAPHQL_LOCAL_CACHE_SECONDS": 0,
    }
    # The test's transaction is the connection's: Django's request signals must not close it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(**cache):
            local_cache.clear()
            yield
    finally:
        local_cache.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def full_stack_calls():
    """Requests that went through Django's handler (the lean route sends no request signal)."""
    calls = []

    def note(**kwargs):
        calls.append(1)

    request_started.connect(note)
    yield calls
    request_started.disconnect(note)


def call(app, query="", headers=None, path="/graphql/", scheme="http", host="testserver"):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": host, "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": scheme, "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False, **(headers or {}),
    }
    answer = {}
    result = app(environ, lambda status, headers: answer.update(status=status, headers=headers))
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(answer["status"].split()[0]), {k.lower(): v for k, v in answer["headers"]}, content


def packages(variables=None):
    params = {"id": persisted.by_name("web_packages").sha256}
    if variables:
        params["variables"] = json.dumps(variables)
    return urlencode(params)


@pytest.fixture
def front_end(matrix):
    """A branch front end's token headers, with a published package to read."""
    client = create_client(name="前端", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    return client, {"HTTP_AUTHORIZATION": f"Bearer {issue_token(client)[1]}", "HTTP_X_REQUEST_ID": "req-1"}


def codes(content):
    return [e["node"]["code"] for e in json.loads(content)["data"]["packages"]["edges"]]


def test_a_cached_read_skips_the_middleware_and_runs_no_sql(front_end, full_stack_calls,
                                                            django_assert_num_queries):
    _, auth = front_end
    first = call(application, packages(), auth)  # not cached yet: the full stack executes it
    assert first[0] == 200 and codes(first[2]) == ["PKG-1"] and len(full_stack_calls) == 1
    with django_assert_num_queries(0):
        status, headers, content = call(application, packages(), auth)
    assert (status, content) == (200, first[2]) and len(full_stack_calls) == 1
    with django_assert_num_queries(0):
        status, _, content = call(application, packages(), {**auth, "HTTP_IF_NONE_MATCH": headers["etag"]})
    assert (status, content) == (304, b"") and len(full_stack_calls) == 1


@pytest.mark.parametrize("accept", [None, "application/graphql-response+json", "application/json;q=0.5, */*"])
@pytest.mark.parametrize("extra", [{}, {"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_COOKIE": "django_language=en"}])
def test_the_lean_route_answers_as_the_full_stack(front_end, full_stack_calls, accept, extra):
    _, auth = front_end
    headers = {**auth, **extra, **({"HTTP_ACCEPT": accept} if accept else {})}
    call(application, packages(), headers)
    lean, full = call(application, packages(), headers), call(full_stack, packages(), headers)
    assert lean == full and len(full_stack_calls) == 2
    revalidation = {**headers, "HTTP_IF_NONE_MATCH": lean[1]["etag"]}
    lean, full = call(application, packages(), revalidation), call(full_stack, packages(), revalidation)
    # The full stack adds "Content-Length: 0" to a 304 (CommonMiddleware); the lean route sends
    # none, as RFC 9110 8.6 asks (it would be the length of the answer not sent).
    assert full[1].pop("content-length") == "0"
    assert lean == full and len(full_stack_calls) == 3


def test_security_headers_are_sent(front_end):
    _, auth = front_end
    call(application, packages(), auth)
    for status, headers, _ in (call(application, packages(), auth),
                               call(application, packages(), {**auth, "HTTP_IF_NONE_MATCH": "*"})):
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin" and headers["cross-origin-opener-policy"] == "same-origin"
        assert headers["x-request-id"] == "req-1" and headers["cache-control"] == "private, max-age=30"
        assert "content-type" not in headers or status == 200
    # a request id the proxy did not give (or gave malformed) is made up
    _, headers, _ = call(application, packages(), {**auth, "HTTP_X_REQUEST_ID": "a b"})
    assert len(headers["x-request-id"]) == 32


@override_settings(SECURE_HSTS_SECONDS=3600, X_FRAME_OPTIONS="SAMEORIGIN")
def test_https_answers_carry_hsts_as_through_the_full_stack(front_end, full_stack_calls):
    _, auth = front_end
    django = WSGIHandler()  # the middleware reads its settings when the handler loads it
    lean_route = route_cached_reads(django)
    call(lean_route, packages(), auth, scheme="https")
    lean, full = call(lean_route, packages(), auth, scheme="https"), call(django, packages(), auth, scheme="https")
    assert lean == full and lean[1]["strict-transport-security"] == "max-age=3600"
    assert lean[1]["x-frame-options"] == "SAMEORIGIN" and len(full_stack_calls) == 2


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_by_the_full_stack(front_end, full_stack_calls):
    _, auth = front_end
    lean_route = route_cached_reads(WSGIHandler())
    call(lean_route, packages(), auth, scheme="https")
    status, headers, _ = call(lean_route, packages(), auth)
    assert status == 301 and headers["location"].startswith("https://") and len(full_stack_calls) == 2


def test_production_runs_middleware_the_route_knows(tmp_path):
    shown = "import django; django.setup(); from cms.graphql_reads import knows_the_middleware as k; print(k())"
    result = run_in_production(["-c", shown], tmp_path)
    assert result.stdout.split() == ["True"], result.stderr


def test_the_route_stands_aside_for_middleware_it_does_not_know(front_end, full_stack_calls):
    _, auth = front_end
    call(application, packages(), auth)
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]):
        lean_route = route_cached_reads(WSGIHandler())
        status, headers, content = call(lean_route, packages(), {**auth, "HTTP_ACCEPT_ENCODING": "gzip"})
    # GZipMiddleware's mark: it varies every answer of 200 bytes or more on Accept-Encoding, but
    # compresses only when that comes out shorter, with up to 100 random bytes added against
    # BREACH, so a small answer is gzipped or not by chance.
    assert status == 200 and "Accept-Encoding" in headers["vary"] and len(full_stack_calls) == 2
    if headers.get("content-encoding") == "gzip":
        content = gzip.decompress(content)
    assert codes(content) == ["PKG-1"]


def test_user_agents_refused_by_the_full_stack_are_refused(front_end):
    _, auth = front_end
    call(application, packages(), auth)
    with override_settings(DISALLOWED_USER_AGENTS=[re.compile("curl")]):
        lean_route = route_cached_reads(WSGIHandler())
        assert call(lean_route, packages(), {**auth, "HTTP_USER_AGENT": "curl/8"})[0] == 403


def test_a_host_not_allowed_is_refused(front_end):
    _, auth = front_end
    call(application, packages(), auth)
    assert call(application, packages(), auth, host="evil.example.com")[0] == 400


def test_requests_the_route_does_not_answer_go_to_django(front_end, full_stack_calls):
    _, auth = front_end
    call(application, packages(), auth)
    other = [
        ({}, 401),  # no token
        ({"HTTP_AUTHORIZATION": "Bearer wagtail_nonsense"}, 401),  # malformed token
        ({**auth, "HTTP_X_PREVIEW_TOKEN": "x"}, 401),  # preview: never from the cache
    ]
    for headers, status in other:
        assert call(application, packages(), headers)[0] == status
    assert call(application, packages({"brand": "go\x00tone"}), auth)[0] == 400  # refused variables
    unknown = json.loads(call(application, "id=" + "0" * 64, auth)[2])  # not a persisted query
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert call(application, packages({"brand": "mzone"}), auth)[0] == 200  # not cached yet
    assert len(full_stack_calls) == 1 + len(other) + 3


def test_a_publish_invalidates_the_answer_the_route_serves(front_end, matrix):
    _, auth = front_end
    call(application, packages(), auth)
    etag = call(application, packages(), auth)[1]["etag"]
    PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
    status, headers, content = call(application, packages(), {**auth, "HTTP_IF_NONE_MATCH": etag})
    assert status == 200 and headers["etag"] != etag and codes(content) == ["PKG-1", "PKG-2"]


def test_a_revoked_token_stops_reading_within_the_local_window(front_end, full_stack_calls):
    client, auth = front_end
    with override_settings(GRAPHQL_LOCAL_CACHE_SECONDS=0.5):
        call(application, packages(), auth)
        assert call(application, packages(), auth)[0] == 200
        with committed():
            revoke_tokens(client)
        # the process re-reads the generations at most every half second: then the token is refused
        time.sleep(0.6)
        status, _, content = call(application, packages(), auth)
    assert status == 401 and json.loads(content)["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"


def test_a_revoked_token_stops_reading_at_once_without_the_local_tier(front_end):
    client, auth = front_end
    call(application, packages(), auth)
    with committed():
        revoke_tokens(client)
    assert call(application, packages(), auth)[0] == 401


def test_an_expired_client_is_refused_though_its_answer_is_cached(matrix, monkeypatch):
    expires = timezone.now() + datetime.timedelta(hours=1)
    client = create_client(name="到期", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]],
                           expires_at=expires)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(client)[1]}"}
    assert call(application, packages(), auth)[0] == 200
    later = expires + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    status, _, content = call(application, packages(), auth)
    assert status == 401 and json.loads(content)["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"


@pytest.fixture
def redis_reads(monkeypatch):
    """The keys of each command sent to Redis outside a pipeline (reads: GET, MGET)."""
    import redis

    sent = []
    original = redis.Redis.execute_command

    def noted(self, *args, **options):
        if not isinstance(self, redis.client.Pipeline):
            sent.append((args[0], [str(a) for a in args[1:]]))
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", noted)
    return sent


def answers_read(sent):
    return [key for _, keys in sent for key in keys if ":gql:answer:" in key and not key.endswith(":tag")]


@pytest.mark.parametrize("app", [application, full_stack], ids=["lean route", "full stack"])
def test_a_revalidation_reads_only_the_answers_tag(front_end, matrix, redis_reads, app):
    _, auth = front_end
    etag = call(app, packages(), auth)[1]["etag"]
    redis_reads.clear()
    # with the in-process tier off, a 304 costs one round trip that does not fetch the answer
    status, headers, content = call(app, packages(), {**auth, "HTTP_IF_NONE_MATCH": etag})
    assert (status, headers["etag"], content) == (304, etag, b"")
    assert len(redis_reads) == 1 and redis_reads[0][0] == "MGET" and not answers_read(redis_reads)
    # an ETag that is not the answer's: the answer is read, and sent
    status, headers, content = call(app, packages(), {**auth, "HTTP_IF_NONE_MATCH": '"elsewhere"'})
    assert status == 200 and headers["etag"] == etag and codes(content) == ["PKG-1"] and answers_read(redis_reads)
    # after a publish the tag is of older generations: the answer is not read but computed again
    PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
    redis_reads.clear()
    status, headers, content = call(app, packages(), {**auth, "HTTP_IF_NONE_MATCH": etag})
    assert status == 200 and headers["etag"] != etag and codes(content) == ["PKG-1", "PKG-2"]
    assert not answers_read(redis_reads)
    # and the new ETag revalidates from the new tag
    status, _, content = call(app, packages(), {**auth, "HTTP_IF_NONE_MATCH": headers["etag"]})
    assert (status, content) == (304, b"")


def test_an_answer_without_its_tag_still_revalidates(front_end, redis_reads):
    from django.core.cache import cache

    _, auth = front_end
    etag = call(application, packages(), auth)[1]["etag"]
    redis = cache._cache.get_client()
    tags = redis.keys(f"{settings.CACHES['default']['KEY_PREFIX']}:*:gql:answer:*:tag")
    assert len(tags) == 1
    redis.delete(*tags)  # evicted, or an answer stored before tags
    status, _, content = call(application, packages(), {**auth, "HTTP_IF_NONE_MATCH": etag})
    assert (status, content) == (304, b"") and answers_read(redis_reads)


def test_a_head_answers_as_the_get_without_the_body_and_from_the_cache(front_end, full_stack_calls,
                                                                       django_assert_num_queries):
    _, auth = front_end
    head = {**auth, "REQUEST_METHOD": "HEAD"}
    # not cached yet: the full stack executes it as a GET (the server drops the body) and caches it
    status, headers, _ = call(application, packages(), head)
    assert status == 200 and len(full_stack_calls) == 1
    get = call(application, packages(), auth)
    assert get[1] == headers and int(headers["content-length"]) == len(get[2]) and codes(get[2]) == ["PKG-1"]
    # cached: the lean route answers it without the body, the full stack from the cache alike
    with django_assert_num_queries(0):
        lean, full = call(application, packages(), head), call(full_stack, packages(), head)
    assert lean == (200, get[1], b"") and full[:2] == lean[:2] and len(full_stack_calls) == 2
    # and revalidates it
    status, _, content = call(application, packages(), {**head, "HTTP_IF_NONE_MATCH": headers["etag"]})
    assert (status, content) == (304, b"") and len(full_stack_calls) == 2
