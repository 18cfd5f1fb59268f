"""The GraphQL API as a front end calls it: a client with a bearer token."""

import json

from django.test import Client

from cms.callers.clients import create_client, issue_token

# SQL a request's time budget adds in a test (api/budget.py): inside the test's own
# transaction it is a savepoint (SAVEPOINT, RELEASE) setting the statement_timeout
# locally. In production none: the timeout stays on the connection between API requests.
BUDGET_QUERIES = 3


class Api:
    """Posts GraphQL to /graphql/ with a bearer token; returns (status, json).

    It accepts ``application/graphql-response+json``, as current clients do, so a
    document that does not parse or validate answers 400 (under ``application/json``
    the specification answers 200 with the errors: tests/graphql_api/test_over_http.py)."""

    def __init__(self, token=None):
        self.http = Client()
        self.token = token

    def headers(self, extra=None):
        headers = {"HTTP_ACCEPT": "application/graphql-response+json"}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def post(self, query, variables=None, **headers):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        response = self.http.post("/graphql/", json.dumps(body), content_type="application/json", **self.headers(headers))
        return response.status_code, response.json() if response.content else None

    def data(self, query, variables=None, **headers):
        status, payload = self.post(query, variables, **headers)
        assert status == 200 and "errors" not in payload, payload
        return payload["data"]

    def get(self, params, **headers):
        return self.http.get("/graphql/", params, **self.headers(headers))


def error_codes(payload):
    return [e["extensions"]["code"] for e in payload.get("errors", [])]


def make_api_client(name, organisation, accounts):
    """An API client of ``organisation`` bound to ``accounts``, and its token in plain text."""
    client = create_client(name=name, organisation=organisation, accounts=accounts)
    _, plaintext = issue_token(client)
    return client, plaintext


def codes(connection):
    """The codes of a GraphQL connection's nodes, in order."""
    return [edge["node"]["code"] for edge in connection["edges"]]
