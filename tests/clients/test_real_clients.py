"""Real clients work unchanged: the GraphQL-over-HTTP specification's audit suite
(graphql-http) and Apollo Client 3 with its persisted-queries link, under Node, against
the live server with an API token."""

import json

import pytest

from tests.clients.conftest import run_node
from tests.graphql_api.test_over_http import file_text

pytestmark = pytest.mark.integration


def test_the_graphql_over_http_audits_pass_every_must_and_should(node_clients, graphql_url, client_token):
    results = run_node(node_clients, "audit.mjs", graphql_url, client_token)
    assert len(results) >= 61
    failed = [f"{r['id']} {r['name']}: {r['reason']}" for r in results
              if r["name"].split()[0] in ("MUST", "SHOULD") and r["status"] != "ok"]
    assert not failed, "\n".join(failed)
    # and the MAYs: 400 for bad parameters, GET with form-encoded parameters, no mutation by GET
    missed = [f"{r['id']} {r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert not missed, "\n".join(missed)


def _apollo(node_clients, graphql_url, client_token, tmp_path, queries):
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(queries), encoding="utf-8")
    return run_node(node_clients, "apollo.mjs", graphql_url, client_token, QUERIES_FILE=str(path))


QUERIES = [
    # a persisted document as the front end ships it
    {"name": "viewer", "query": file_text("viewer"), "variables": {}},
    {"name": "organisations", "query": file_text("organisations"), "variables": {"first": 2}},
    # a document of the client's own, not in the allow-list
    {"name": "own", "query": "query Own { viewer { name kind } }", "variables": {}},
]


def test_apollo_persisted_queries_hit_on_the_first_get(node_clients, graphql_url, client_token, tmp_path):
    result = _apollo(node_clients, graphql_url, client_token, tmp_path, QUERIES)
    answers, requests = result["answers"], result["requests"]
    assert answers["viewer"]["data"]["viewer"]["name"] == "西安公众号", answers["viewer"]
    assert len(answers["organisations"]["data"]["organisations"]["edges"]) == 2, answers["organisations"]
    assert answers["own"]["data"]["viewer"] == {"name": "西安公众号", "kind": "client", "__typename": "Viewer"}
    by_name = {name: [(r["method"], r["sentQuery"], r["status"]) for r in requests if r["name"] == name]
               for name in ("viewer", "organisations", "own")}
    # allow-listed: one GET with the hash only
    assert by_name["viewer"] == [("GET", False, 200)]
    assert by_name["organisations"] == [("GET", False, 200)]
    # the client's own: not found (200, so it retries), then POST with the document and its hash
    assert by_name["own"] == [("GET", False, 200), ("POST", True, 200)]


def test_apollo_with_persisted_queries_only(node_clients, graphql_url, client_token, tmp_path, settings):
    settings.GRAPHQL_PERSISTED_QUERIES_ONLY = True
    result = _apollo(node_clients, graphql_url, client_token, tmp_path, QUERIES)
    answers = result["answers"]
    assert answers["viewer"]["data"]["viewer"]["name"] == "西安公众号", answers["viewer"]
    assert answers["organisations"]["data"]["organisations"]["edges"], answers["organisations"]
    # the client's own document is refused, with a typed error, not run
    assert "data" not in answers["own"] and answers["own"]["codes"] == ["PERSISTED_QUERY_REQUIRED"], answers["own"]
