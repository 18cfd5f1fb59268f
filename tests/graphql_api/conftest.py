"""Fixtures of the GraphQL API tests: API clients with tokens per scope, a
client that posts GraphQL, and the SMS accounts of the matrix."""

import json

import pytest
from django.test import Client

from cms.callers.clients import create_client, issue_token
from content.models import ChannelAccount
from tests.factories import ChannelAccountFactory


class Api:
    """Posts GraphQL to /graphql/ with a bearer token; returns (status, json)."""

    def __init__(self, token=None):
        self.http = Client()
        self.token = token

    def headers(self, extra=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
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


@pytest.fixture
def sms_accounts(matrix):
    return {
        "province": ChannelAccountFactory(code="sms-sx", type=ChannelAccount.Type.SMS, organisation=matrix["province"]),
        "branch1": ChannelAccountFactory(code="sms-sx-01", type=ChannelAccount.Type.SMS, organisation=matrix["branch1"]),
        "branch2": ChannelAccountFactory(code="sms-sx-02", type=ChannelAccount.Type.SMS, organisation=matrix["branch2"]),
    }


def make_client(name, organisation, accounts):
    client = create_client(name=name, organisation=organisation, accounts=accounts)
    token, plaintext = issue_token(client)
    return client, plaintext


@pytest.fixture
def branch1_api(matrix):
    """A front end of branch SX-01 bound to its official account."""
    _, token = make_client("西安公众号", matrix["branch1"], [matrix["account_branch1"]])
    return Api(token)


@pytest.fixture
def branch2_api(matrix):
    _, token = make_client("宝鸡公众号", matrix["branch2"], [matrix["account_branch2"]])
    return Api(token)


@pytest.fixture
def province_api(matrix):
    _, token = make_client("省公众号", matrix["province"], [matrix["account_province"]])
    return Api(token)


@pytest.fixture
def anonymous_api():
    return Api()
