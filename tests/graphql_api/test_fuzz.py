"""Fuzzing the endpoint: schemathesis generates queries from the contract
(graphql/schema.graphql) and hypothesis generates junk requests. Whatever comes
in, the answer is JSON with typed errors and never a 500."""

import json
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.errors import ErrorCode
from tests.support.api import Api, make_api_client
from tests.support.factories import ArticleFactory, PackageFactory, SmsTemplateFactory

CODES = {code.value for code in ErrorCode}
SCHEMA = schemathesis.graphql.from_path(str(Path(settings.BASE_DIR) / "graphql" / "schema.graphql"))
APP = get_wsgi_application()
FUZZ = hypothesis_settings(
    max_examples=12, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Like Django's test client: the WSGI app must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(matrix, sms_accounts):
    """A province front end with some published content to answer from."""
    PackageFactory(code="PKG-1", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True)
    ArticleFactory(code="ART-1", organisation=matrix["province"], channels=[], published=True)
    SmsTemplateFactory(code="TPL-1", organisation=matrix["province"], published=True)
    _, plaintext = make_api_client("模糊测试", matrix["province"], [matrix["account_province"], sms_accounts["province"]])
    return plaintext


def assert_typed(status, body):
    assert status < 500, body
    payload = json.loads(body) if body else {}
    if status >= 400:
        assert payload["errors"], body
    for error in payload.get("errors", []):
        assert error["extensions"]["code"] in CODES, error
        assert "Traceback" not in error["message"]


@pytest.mark.django_db
@SCHEMA.parametrize()
@FUZZ
def test_generated_queries_never_fail_the_server(case, token):
    response = case.call(app=APP, base_url="http://localhost/graphql/", headers={"Authorization": f"Bearer {token}"})
    assert_typed(response.status_code, response.content)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)
QUERY_PIECES = st.sampled_from(
    ["{", "}", "(", ")", "query", "packages", "first:", "after:", '"x"', "-1", "99999", "$v", "...", "on",
     "edges", "node", "code", "__schema", "viewer", "changes", "since:", "0", "account:", '"wx-sx"', "@skip", ":", ","]
)


@pytest.mark.django_db
@given(
    query=st.one_of(st.text(max_size=200), st.lists(QUERY_PIECES, max_size=40).map(" ".join)),
    variables=JSON_VALUES,
    extra=st.dictionaries(st.sampled_from(["operationName", "id", "extensions"]), JSON_VALUES, max_size=2),
)
@hypothesis_settings(max_examples=150, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_junk_requests_get_typed_errors(token, query, variables, extra):
    api = Api(token)
    body = json.dumps({"query": query, "variables": variables, **extra})
    response = api.http.post("/graphql/", body, content_type="application/json", **api.headers())
    assert_typed(response.status_code, response.content)


@pytest.mark.django_db
@given(params=st.dictionaries(st.sampled_from(["query", "id", "variables", "operationName", "extensions"]),
                              st.text(max_size=60), max_size=4),
       authorization=st.one_of(st.none(), st.text(max_size=40)))
@hypothesis_settings(max_examples=80, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_junk_get_requests_and_headers_get_typed_errors(token, params, authorization):
    api = Api(token)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else api.headers()
    response = api.http.get("/graphql/", params, **headers)
    assert_typed(response.status_code, response.content)
