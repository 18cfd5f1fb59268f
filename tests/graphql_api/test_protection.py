"""Protection: depth, cost and size limits, introspection switch, persisted-only
mode, malformed input; every refusal is a typed 4xx, never a stack trace."""

import json

import pytest
from django.test import override_settings

from api import persisted
from tests.support.api import error_codes

pytestmark = pytest.mark.django_db


def test_query_deeper_than_the_limit_is_refused(branch1_api):
    deep = "{ organisations { edges { node { parent { parent { parent { parent { parent { parent { parent { code } } } } } } } } } } }"
    status, payload = branch1_api.post(deep)
    assert status == 400 and error_codes(payload) == ["QUERY_TOO_DEEP"]


def test_query_nested_past_the_parser_is_refused_not_crashed(branch1_api):
    query = "{ viewer " + "{ organisation " * 600 + "{ code }" + " }" * 601
    status, payload = branch1_api.post(query)
    assert status in (400, 413) and error_codes(payload)[0] in {"QUERY_TOO_DEEP", "GRAPHQL_PARSE_FAILED", "REQUEST_TOO_LARGE"}


@override_settings(GRAPHQL_MAX_COST=500)
def test_query_costlier_than_the_limit_is_refused(branch1_api):
    costly = "{ packages(first: 100) { edges { node { code brands { code } saleOrganisations { code } } } } }"
    status, payload = branch1_api.post(costly)
    assert status == 400 and error_codes(payload) == ["QUERY_TOO_COSTLY"]
    # the same query on a small page is within the limit
    status, _ = branch1_api.post(costly.replace("first: 100", "first: 5"))
    assert status == 200


@override_settings(GRAPHQL_MAX_COST=500)
def test_cost_counts_page_sizes_given_in_variables(branch1_api):
    query = "query($n: Int) { packages(first: $n) { edges { node { brands { code } } } } }"
    status, payload = branch1_api.post(query, {"n": 100})
    assert status == 400 and error_codes(payload) == ["QUERY_TOO_COSTLY"]


@override_settings(GRAPHQL_MAX_COST=500)
def test_a_document_measured_once_is_measured_again_for_each_page_size(branch1_api):
    # The measure of a document is kept per the values of its page-size variables.
    query = "query($n: Int, $m: Int) { packages(first: $n) { edges { node { brands { code } } } } p: packages(last: $m) { totalCount } }"
    assert branch1_api.post(query, {"n": 5, "m": 1})[0] == 200
    status, payload = branch1_api.post(query, {"n": 100, "m": 1})
    assert status == 400 and error_codes(payload) == ["QUERY_TOO_COSTLY"]
    assert branch1_api.post(query, {"n": 5, "m": 1})[0] == 200
    with override_settings(GRAPHQL_MAX_COST=20):
        status, payload = branch1_api.post(query, {"n": 5, "m": 1})
    assert status == 400 and error_codes(payload) == ["QUERY_TOO_COSTLY"]


@override_settings(GRAPHQL_MAX_REQUEST_BYTES=1000)
def test_oversized_request_is_refused(branch1_api):
    status, payload = branch1_api.post("{ viewer { name } }" + " " * 2000)
    assert status == 413 and error_codes(payload) == ["REQUEST_TOO_LARGE"]
    response = branch1_api.get({"query": "{ viewer { name } }" + " " * 2000})
    assert response.status_code == 413


def test_too_many_tokens_is_refused(branch1_api):
    query = "{ " + " ".join(f"a{i}: viewer {{ name }}" for i in range(1500)) + " }"
    status, payload = branch1_api.post(query)
    assert status == 400 and error_codes(payload) == ["GRAPHQL_PARSE_FAILED"]


@override_settings(GRAPHQL_INTROSPECTION=False)
def test_introspection_can_be_switched_off(branch1_api):
    status, payload = branch1_api.post("{ __schema { types { name } } }")
    assert status == 400 and set(error_codes(payload)) == {"INTROSPECTION_DISABLED"}
    # __typename stays available (unions need it)
    assert branch1_api.data("{ viewer { __typename } }") == {"viewer": {"__typename": "Viewer"}}


def test_introspection_is_on_by_default_outside_production(branch1_api):
    assert branch1_api.data("{ __type(name: \"Package\") { name } }") == {"__type": {"name": "Package"}}


def test_production_settings_switch_introspection_off():
    import importlib
    import os

    from django.core.exceptions import ImproperlyConfigured

    env = {"SECRET_KEY": "x" * 50, "CMS_SECRETS_KEY": "yJ8p1m0bHq2bqv3b7n0pT2k4Xq9Y6d1w3s5u7w9y1A0=",
           "DATABASE_URL": "postgres://u@127.0.0.1/db", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
           "S3_BUCKET": "media", "REDIS_URL": "redis://127.0.0.1:6379/1", "WAGTAILADMIN_BASE_URL": "https://cms.example.cn"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        production = importlib.reload(importlib.import_module("cms.settings.production"))
    except ImproperlyConfigured as error:  # pragma: no cover - makes a failure readable
        pytest.fail(str(error))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert production.GRAPHQL_INTROSPECTION is False and production.GRAPHQL_GRAPHIQL is False


def test_persisted_query_by_hash(branch1_api):
    query = persisted.by_name("viewer")
    response = branch1_api.get({"id": query.sha256})
    assert response.status_code == 200 and response.json()["data"]["viewer"]["name"] == "西安公众号"
    # Apollo's extension works the same
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": query.sha256}})
    assert branch1_api.get({"extensions": extensions}).json()["data"]["viewer"]["kind"] == "client"


def test_unknown_persisted_hash_is_a_typed_error_the_client_retries_on(branch1_api):
    # 200, not 404: automatic-persisted-queries clients then retry with the document.
    response = branch1_api.get({"id": "0" * 64})
    assert response.status_code == 200 and error_codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert response["Cache-Control"] == "no-store"


@override_settings(GRAPHQL_PERSISTED_QUERIES_ONLY=True)
def test_persisted_only_mode_refuses_other_documents(branch1_api):
    status, payload = branch1_api.post("{ viewer { name } }")
    assert status == 400 and error_codes(payload) == ["PERSISTED_QUERY_REQUIRED"]
    # a registered document is accepted, by hash or by its exact text
    query = persisted.by_name("viewer")
    assert branch1_api.get({"id": query.sha256}).status_code == 200
    status, _ = branch1_api.post(query.text)
    assert status == 200


@pytest.mark.parametrize(
    "body, code",
    [
        ("{not json", "BAD_REQUEST"),
        ("[]", "BAD_REQUEST"),
        ('[{"query": "{ viewer { name } }"}]', "BAD_REQUEST"),
        ('{"query": 42}', "BAD_REQUEST"),
        ('{"query": "{ viewer { name } }", "variables": "[1]"}', "BAD_REQUEST"),
        ('{"query": "{ viewer { name } }", "variables": [1]}', "BAD_REQUEST"),
        ('{"query": "{ viewer { name } }", "operationName": 3}', "BAD_REQUEST"),
        ('{"query": "{ viewer { name } }", "operationName": 0}', "BAD_REQUEST"),
        ('{"query": "{ viewer { name } }", "operationName": false}', "BAD_REQUEST"),
        ("{}", "BAD_REQUEST"),
        ('{"query": "{ viewer { name "}', "GRAPHQL_PARSE_FAILED"),
        ('{"query": "{ nope }"}', "GRAPHQL_VALIDATION_FAILED"),
        ('{"query": "mutation { viewer }"}', "BAD_REQUEST"),
        ('{"query": "query A { viewer { name } } query B { viewer { kind } }"}', "BAD_REQUEST"),
        ('{"query": "query($n: Int) { packages(first: $n) { totalCount } }", "variables": {"n": "x"}}',
         "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_malformed_requests_get_typed_400s(branch1_api, body, code):
    response = branch1_api.http.post("/graphql/", body, content_type="application/json", **branch1_api.headers())
    assert response.status_code == 400, response.content
    assert error_codes(response.json()) == [code]
    assert "Traceback" not in response.content.decode()


def test_unsupported_method_is_a_typed_405(branch1_api):
    response = branch1_api.http.put("/graphql/", "{}", **branch1_api.headers())
    assert response.status_code == 405 and error_codes(response.json()) == ["METHOD_NOT_ALLOWED"]


def test_application_graphql_body_is_accepted(branch1_api):
    response = branch1_api.http.post("/graphql/", "{ viewer { kind } }", content_type="application/graphql",
                                     **branch1_api.headers())
    assert response.json() == {"data": {"viewer": {"kind": "client"}}}


def test_unexpected_errors_are_hidden(branch1_api, monkeypatch, caplog):
    from content.schema import queries as schema

    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(schema, "packages_on_sale", broken)
    status, payload = branch1_api.post("{ packages { totalCount } }")
    assert status == 500
    assert error_codes(payload) == ["INTERNAL_ERROR"]
    assert "hunter2" not in json.dumps(payload) and payload["errors"][0]["message"] == "internal error"


def test_fragments_on_a_union_cost_their_most_expensive_branch(matrix, sms_accounts):
    from api import limits
    from cms.schema import schema
    from graphql import parse
    from graphql.utilities import get_operation_ast

    document = parse(persisted.by_name("sms_changes").text)
    operation = get_operation_ast(document)
    # each of 1,000 changes costs its SMS template branch (parameters and brands lists), not every branch summed
    depth, cost = limits.check(schema.graphql_schema, document, operation, {"first": 1000})
    # the connection and its pageInfo once, edges, nodes and items per row
    assert cost == 2 + 1000 * 3 + 1000 * limits.LIST_FACTOR * 2
    assert depth == 6
