"""Fixtures of template messages: the matrix's official accounts on the WeChat
emulator (over HTTP), a published definition sent from two of them, and a business
system's API client bound to branch SX-01's account."""

import os

import pytest
from django.core.cache import cache

from callback import table
from content.models import TemplateMessage, TemplateMessageMapping
from tests.support.api import make_api_client
from tests.support.content import committed, publish
from tests.support.publishing import fast_jobs, matrix_on_emulator
from wechat import quota

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18700-18749")

BILL_FIELDS = [
    {"key": "thing1", "label": "账单月份", "type": "thing"},
    {"key": "amount2", "label": "应缴金额", "type": "amount"},
    {"key": "time3", "label": "截止时间", "type": "time"},
]
VALUES = {"thing1": "2025年5月账单", "amount2": "58.00元", "time3": "2025年6月10日 23:59"}


@pytest.fixture(autouse=True)
def quick_jobs(settings):
    fast_jobs(settings, max_failures=4)
    cache.clear()
    table._compiled.clear()
    quota._checked.clear()
    yield
    cache.clear()
    table._compiled.clear()
    quota._checked.clear()


@pytest.fixture
def accounts(matrix, wechat_emulator):
    """The matrix's official accounts (province, both branches), on the emulator."""
    return matrix_on_emulator(matrix, wechat_emulator.base_url)


def make_definition(org, accounts, code="bill_reminder", short="OPENTM200654400", fields=None, live=True):
    definition = TemplateMessage.objects.create(
        code=code,
        title="账单提醒",
        organisation=org,
        template_id_short=short,
        fields=BILL_FIELDS if fields is None else fields,
        live=False,
    )
    for account in accounts:
        TemplateMessageMapping.objects.create(definition=definition, account=account)
    return publish(definition) if live else definition


@pytest.fixture
def bill(matrix, accounts):
    """账单提醒 of the province, sent from the province's and SX-01's accounts, published
    (its template ids obtained from the emulator)."""
    return make_definition(matrix["province"], [accounts["wx-sx"], accounts["wx-sx-01"]])


@pytest.fixture
def billing(matrix, accounts):
    """The billing system: an API client of SX-01 bound to its official account; its token."""
    _client, token = make_api_client("billing-sx01", matrix["branch1"], [accounts["wx-sx-01"]])
    return token


def post_send(client, token, **body):
    payload = {
        "definition": "bill_reminder",
        "account": "wx-sx-01",
        "openid": "oBill_0000000000000000000001",
        "values": dict(VALUES),
        "client_msg_id": "BILL-202505-0001",
    }
    payload.update(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    # The send's job runs after commit, as it does behind a real request.
    with committed():
        return client.post("/api/notices/send/", data=payload, content_type="application/json", **headers)
