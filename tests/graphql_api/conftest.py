"""Fixtures of the GraphQL API tests: API clients with tokens per scope (tests/support/api.py)
and the SMS accounts of the matrix."""

import pytest

from content.models import ChannelAccount
from tests.support.api import Api, make_api_client
from tests.support.factories import ChannelAccountFactory


@pytest.fixture
def sms_accounts(matrix):
    return {
        "province": ChannelAccountFactory(code="sms-sx", type=ChannelAccount.Type.SMS, organisation=matrix["province"]),
        "branch1": ChannelAccountFactory(code="sms-sx-01", type=ChannelAccount.Type.SMS,
                                         organisation=matrix["branch1"]),
        "branch2": ChannelAccountFactory(code="sms-sx-02", type=ChannelAccount.Type.SMS,
                                         organisation=matrix["branch2"]),
    }


@pytest.fixture
def branch1_api(matrix):
    """A front end of branch SX-01 bound to its official account."""
    _, token = make_api_client("西安公众号", matrix["branch1"], [matrix["account_branch1"]])
    return Api(token)


@pytest.fixture
def branch2_api(matrix):
    _, token = make_api_client("宝鸡公众号", matrix["branch2"], [matrix["account_branch2"]])
    return Api(token)


@pytest.fixture
def province_api(matrix):
    _, token = make_api_client("省公众号", matrix["province"], [matrix["account_province"]])
    return Api(token)


@pytest.fixture
def anonymous_api():
    return Api()
