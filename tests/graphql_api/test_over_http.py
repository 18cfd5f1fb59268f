"""GraphQL over HTTP and automatic persisted queries as real clients speak them: the
allow-list found by the hash a client computes (of the printed document, with or
without Apollo's __typename fields), the not-found answer clients retry on, the hash
checked against the document sent with it, and the answer's media type from Accept.
Real client libraries against a live server: tests/clients/."""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from api import persisted
from graphql import parse, print_ast
from tests.support.api import error_codes

GRAPHQL_RESPONSE = "application/graphql-response+json"


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def file_text(name):
    return (Path(settings.GRAPHQL_PERSISTED_QUERIES_DIR) / f"{name}.graphql").read_text(encoding="utf-8")


def printed(name):
    return print_ast(parse(file_text(name)))


# What Apollo Client sends after its cache's addTypenameToDocument, printed as graphql-js prints.
VIEWER_WITH_TYPENAMES = """query Viewer {
  viewer {
    name
    kind
    organisation {
      code
      name
      level
      __typename
    }
    accounts {
      code
      name
      type
      serviceNumber
      appId
      __typename
    }
    __typename
  }
}"""


def extensions(sha):
    return json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha}})


def post(api, body, accept=None, content_type="application/json"):
    headers = api.headers({"HTTP_ACCEPT": accept} if accept else {})
    if accept is None:
        headers.pop("HTTP_ACCEPT")
    return api.http.post("/graphql/", json.dumps(body) if isinstance(body, dict) else body,
                         content_type=content_type, **headers)


def test_the_hash_of_the_printed_document_finds_it_on_the_first_get(branch1_api):
    sha = sha256(printed("viewer"))
    assert sha != sha256(file_text("viewer"))  # the file's comments and spacing are not printed
    response = branch1_api.get({"extensions": extensions(sha), "operationName": "Viewer"})
    assert response.status_code == 200 and response.json()["data"]["viewer"]["name"] == "西安公众号"
    # still HTTP-cacheable: the ETag answers a 304
    again = branch1_api.get({"extensions": extensions(sha)}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_apollos_typename_print_is_allow_listed_too(branch1_api):
    assert print_ast(parse(VIEWER_WITH_TYPENAMES)) == VIEWER_WITH_TYPENAMES
    response = branch1_api.get({"extensions": extensions(sha256(VIEWER_WITH_TYPENAMES))})
    assert response.status_code == 200, response.content
    viewer = response.json()["data"]["viewer"]
    assert viewer["__typename"] == "Viewer" and viewer["organisation"]["__typename"] == "Organisation"


def test_every_persisted_query_is_registered_under_its_print():
    for path in Path(settings.GRAPHQL_PERSISTED_QUERIES_DIR).glob("*.graphql"):
        found = persisted.lookup(sha256(print_ast(parse(path.read_text(encoding="utf-8")))))
        assert found is not None and found.name == path.stem


def test_an_unknown_hash_answers_200_with_the_error_apq_clients_retry_on(branch1_api):
    response = branch1_api.get({"extensions": extensions("ab" * 32)})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND",
                                   "field": "extensions.persistedQuery.sha256Hash"}
    assert "data" not in response.json()


def test_the_retry_with_the_document_and_its_hash_is_executed(branch1_api):
    query = "query Me { viewer { name } }"  # not a persisted document
    response = post(branch1_api, {"query": query, "extensions": {"persistedQuery": {"version": 1,
                                                                                    "sha256Hash": sha256(query)}}})
    assert response.status_code == 200 and response.json() == {"data": {"viewer": {"name": "西安公众号"}}}


def test_a_hash_that_is_not_the_documents_is_refused(branch1_api):
    query = "query Me { viewer { name } }"
    body = {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(query + " ")}}}
    response = post(branch1_api, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_HASH_MISMATCH",
                                                          "field": "extensions.persistedQuery.sha256Hash"}
    # by id as well
    response = branch1_api.get({"id": persisted.by_name("viewer").sha256, "query": query})
    assert response.status_code == 400 and error_codes(response.json()) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert response.json()["errors"][0]["extensions"]["field"] == "id"


def test_a_hash_that_is_not_a_string_is_a_typed_400(branch1_api):
    response = post(branch1_api, {"query": "{ viewer { name } }", "extensions": {"persistedQuery": {"sha256Hash": 5}}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST",
                                                          "field": "extensions.persistedQuery.sha256Hash"}


@override_settings(GRAPHQL_PERSISTED_QUERIES_ONLY=True)
def test_persisted_only_accepts_a_retry_whose_document_is_allow_listed(branch1_api):
    for query in (VIEWER_WITH_TYPENAMES, printed("viewer"), printed("viewer").replace("\n", " ")):
        body = {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}}
        response = post(branch1_api, body)
        assert response.status_code == 200 and response.json()["data"]["viewer"]["name"] == "西安公众号", query
    other = "query Viewer { viewer { name kind } }"
    body = {"query": other, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(other)}}}
    response = post(branch1_api, body)
    assert response.status_code == 400 and error_codes(response.json()) == ["PERSISTED_QUERY_REQUIRED"]


def test_the_answer_has_the_media_type_the_client_accepts(branch1_api):
    body = {"query": "{ viewer { name } }"}
    for accept, media_type in [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
    ]:
        response = post(branch1_api, body, accept)
        assert response.status_code == 200 and response["Content-Type"] == media_type, accept
        assert "Accept" in response["Vary"]


def test_request_errors_are_200_under_json_and_400_under_graphql_response_json(branch1_api):
    cases = [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "query($n: Int) { packages(first: $n) { totalCount } }", "variables": {"n": "x"}},
         "GRAPHQL_VALIDATION_FAILED"),
    ]
    for body, code in cases:
        legacy = post(branch1_api, body, "application/json")
        assert legacy.status_code == 200 and error_codes(legacy.json()) == [code], body
        current = post(branch1_api, body, GRAPHQL_RESPONSE)
        assert current.status_code == 400 and error_codes(current.json()) == [code], body
        assert "data" not in current.json() and current["Content-Type"] == GRAPHQL_RESPONSE


def test_a_post_without_a_graphql_content_type_is_a_415(branch1_api):
    # fetch() sends a string body without a type as text/plain
    for content_type in ("", "text/plain;charset=UTF-8"):
        response = post(branch1_api, {"query": "{ viewer { name } }"}, content_type=content_type)
        assert response.status_code == 415, content_type
        assert response.json()["errors"][0]["extensions"] == {"code": "UNSUPPORTED_MEDIA_TYPE",
                                                              "field": "Content-Type"}
    assert post(branch1_api, {"query": "{ viewer { name } }"}, content_type="application/json; charset=utf-8").status_code == 200


def test_relay_and_persisted_document_parameters_name_the_hash_too(branch1_api):
    sha = persisted.by_name("viewer").sha256
    for params in ({"doc_id": sha}, {"documentId": f"sha256:{sha}"}):
        response = branch1_api.get(params)
        assert response.status_code == 200 and response.json()["data"]["viewer"]["name"] == "西安公众号", params
    response = branch1_api.get({"documentId": "sha256:" + "0" * 64})
    assert response.status_code == 200 and response.json()["errors"][0]["extensions"] == {
        "code": "PERSISTED_QUERY_NOT_FOUND", "field": "documentId"}
