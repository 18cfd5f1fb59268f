"""HTTP caching of persisted queries (ETag, Cache-Control, 304) and the shared
answer cache in Redis, invalidated on publish and on token revocation."""

import os
import uuid

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from api import persisted
from cms.callers.clients import create_client, issue_token, revoke_tokens
from tests.support.api import Api
from tests.support.content import committed
from tests.support.factories import PackageFactory

pytestmark = pytest.mark.django_db


def packages_query():
    return persisted.by_name("web_packages")


def test_get_of_a_persisted_query_has_etag_and_cache_control(matrix, branch1_api):
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    response = branch1_api.get({"id": packages_query().sha256})
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Cache-Control"] == "private, max-age=30"
    assert "Authorization" in response["Vary"]


def test_matching_if_none_match_gets_304_without_a_body(matrix, branch1_api):
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    etag = branch1_api.get({"id": packages_query().sha256})["ETag"]
    response = branch1_api.get({"id": packages_query().sha256}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b"" and response["ETag"] == etag
    # weak form and lists are understood
    assert branch1_api.get({"id": packages_query().sha256}, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304


def test_etag_changes_when_published_content_changes(matrix, branch1_api):
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    etag = branch1_api.get({"id": packages_query().sha256})["ETag"]
    PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
    response = branch1_api.get({"id": packages_query().sha256}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_variables_are_part_of_the_answer(matrix, branch1_api):
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], brands=["gotone"], published=True)
    sha = packages_query().sha256
    gotone = branch1_api.get({"id": sha, "variables": '{"brand": "gotone"}'})
    mzone = branch1_api.get({"id": sha, "variables": '{"brand": "mzone"}'})
    assert gotone["ETag"] != mzone["ETag"]


def test_posts_and_ad_hoc_documents_are_not_cached(matrix, branch1_api):
    post = branch1_api.http.post("/graphql/", {"id": packages_query().sha256}, content_type="application/json",
                                 **branch1_api.headers())
    assert post["Cache-Control"] == "no-store" and not post.has_header("ETag")
    adhoc = branch1_api.get({"query": "{ viewer { name } }"})
    assert adhoc["Cache-Control"] == "no-store" and not adhoc.has_header("ETag")


def test_errors_are_not_given_an_etag(branch1_api):
    response = branch1_api.get({"id": persisted.by_name("sms_templates").sha256, "variables": '{"account": "sms-x"}'})
    assert response.status_code == 403 and not response.has_header("ETag")


def redis_settings():
    return {
        "CACHES": {
            "default": {
                "BACKEND": "cms.cache.RedisCache",
                "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
                "KEY_PREFIX": f"test-graphql-{uuid.uuid4().hex[:8]}",
                "TIMEOUT": 120,
            }
        },
        "GRAPHQL_CACHE": True,
    }


@pytest.mark.integration
def test_published_answers_are_served_from_redis_without_sql(matrix):
    with override_settings(**redis_settings()):
        # given a front end and a published package
        client = create_client(name="缓存", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
        _, token = issue_token(client)
        api = Api(token)
        PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
        sha = packages_query().sha256
        first = api.get({"id": sha})
        # when the same persisted query is asked again
        with CaptureQueriesContext(connection) as queries:
            second = api.get({"id": sha})
        # then it is answered from Redis: same bytes, no SQL
        assert second.content == first.content and second["ETag"] == first["ETag"]
        assert len(queries.captured_queries) == 0


@pytest.mark.integration
def test_publishing_invalidates_cached_answers(matrix):
    with override_settings(**redis_settings()):
        client = create_client(name="缓存", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
        _, token = issue_token(client)
        api = Api(token)
        PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
        sha = packages_query().sha256
        assert [e["node"]["code"] for e in api.get({"id": sha}).json()["data"]["packages"]["edges"]] == ["PKG-1"]
        # when a package is published
        PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
        # then the next answer has it
        assert [e["node"]["code"] for e in api.get({"id": sha}).json()["data"]["packages"]["edges"]] == ["PKG-1", "PKG-2"]


@pytest.mark.integration
def test_revoking_a_token_takes_effect_despite_the_cache(matrix):
    with override_settings(**redis_settings()):
        client = create_client(name="缓存", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
        _, token = issue_token(client)
        api = Api(token)
        sha = persisted.by_name("viewer").sha256
        assert api.get({"id": sha}).status_code == 200
        with committed():
            revoke_tokens(client)
        assert api.get({"id": sha}).status_code == 401


@pytest.mark.integration
def test_a_principal_held_in_process_is_refused_within_the_window_once_revoked(matrix):
    import time

    from api import local_cache

    with override_settings(**redis_settings(), GRAPHQL_LOCAL_CACHE_SECONDS=0.5):
        local_cache.clear()
        client = create_client(name="进程", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
        _, token = issue_token(client)
        api = Api(token)
        assert api.post("{ viewer { name } }")[0] == 200
        assert api.post("{ viewer { name } }")[0] == 200
        with committed():
            revoke_tokens(client)
        # the process re-reads the generations at most every half second: then the token is refused
        time.sleep(0.6)
        status, payload = api.post("{ viewer { name } }")
        local_cache.clear()
    assert status == 401 and payload["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"


def test_a_principal_held_in_process_is_refused_once_its_client_expires(matrix, monkeypatch):
    import datetime

    from django.utils import timezone

    from api import local_cache

    with override_settings(**redis_settings(), GRAPHQL_LOCAL_CACHE_SECONDS=60):
        local_cache.clear()
        expires = timezone.now() + datetime.timedelta(hours=1)
        client = create_client(name="到期", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]],
                               expires_at=expires)
        api = Api(issue_token(client)[1])
        assert api.post("{ viewer { name } }")[0] == 200
        later = expires + datetime.timedelta(seconds=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        status, payload = api.post("{ viewer { name } }")
        local_cache.clear()
    assert status == 401 and payload["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"


@pytest.mark.integration
def test_each_process_serves_hot_answers_from_memory_within_its_window(matrix):
    import time

    from api import local_cache

    with override_settings(**redis_settings(), GRAPHQL_LOCAL_CACHE_SECONDS=0.5):
        local_cache.clear()
        client = create_client(name="内存", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
        _, token = issue_token(client)
        api = Api(token)
        PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
        sha = packages_query().sha256
        first = api.get({"id": sha})
        # given a publish the process has not seen yet
        PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
        # then within the window the process still answers from memory, without SQL
        with CaptureQueriesContext(connection) as queries:
            stale = api.get({"id": sha})
        assert stale.content == first.content and len(queries.captured_queries) == 0
        # and after the window it re-reads the generations and answers with the publish
        time.sleep(0.6)
        fresh = api.get({"id": sha})
        assert [e["node"]["code"] for e in fresh.json()["data"]["packages"]["edges"]] == ["PKG-1", "PKG-2"]
        local_cache.clear()


def test_a_head_of_a_persisted_query_answers_as_its_get_without_the_body(matrix, branch1_api):
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    get = branch1_api.get({"id": packages_query().sha256})
    head = branch1_api.http.head("/graphql/", {"id": packages_query().sha256}, **branch1_api.headers())
    assert head.status_code == 200 and head.content == b"" and head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content)) and head["Cache-Control"] == get["Cache-Control"]
