"""The published menu of an account through GraphQL, and menu versions in the change log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from menus.services import publish
from publishing.changes.models import Change
from tests.support.api import BUDGET_QUERIES
from tests.support.content import committed
from tests.support.menus import make_menu, node

pytestmark = pytest.mark.django_db
QUERY = """query($a: String!, $b: String) { menu(account: $a, brand: $b) {
  account brand items { key parentKey depth name type url eventKey } tree } }"""


def wechat_nodes(extra=0):
    return [
        node("1", "查询", children=[
            node("1.1", "话费", "view", url="https://www.example-operator.cn/fee"),
            node("1.2", "流量", "click", event_key="FLOW"),
            *[node(f"1.{i + 3}", f"项{i}", "click", event_key=f"K{i}") for i in range(min(extra, 3))],
        ]),
        node("2", "优惠", "click", event_key="OFFER", brands=["gotone"]),
        node("3", "客服", "click", event_key="SERVICE"),
    ]


def published_menu(account, nodes, **kwargs):
    menu = make_menu(account, nodes, **kwargs)
    with committed():
        publish(menu)
    return menu


def test_menu_of_an_account_as_items_and_tree(matrix, branch1_api):
    # given a published menu with a brand-only item
    published_menu(matrix["account_branch1"], wechat_nodes())
    # when the account's front end asks for it, without and with the brand
    plain = branch1_api.data(QUERY, {"a": "wx-sx-01"})["menu"]
    gotone = branch1_api.data(QUERY, {"a": "wx-sx-01", "b": "gotone"})["menu"]
    # then items come parents first with their depth, brand-only items only for that brand
    assert [(i["key"], i["parentKey"], i["depth"]) for i in plain["items"]] == [
        ("1", None, 1), ("1.1", "1", 2), ("1.2", "1", 2), ("3", None, 1)
    ]
    assert plain["items"][1]["url"] == "https://www.example-operator.cn/fee"
    assert [i["key"] for i in gotone["items"]] == ["1", "1.1", "1.2", "2", "3"]
    assert gotone["tree"][0]["children"][1]["event_key"] == "FLOW"


def test_no_published_menu_gives_an_empty_menu(matrix, branch1_api):
    assert branch1_api.data(QUERY, {"a": "wx-sx-01"})["menu"]["items"] == []


def test_publishing_a_menu_version_writes_a_change_for_its_account(matrix, branch1_api):
    menu = published_menu(matrix["account_branch1"], wechat_nodes())
    change = Change.objects.get(kind="menu")
    assert (change.account.code, change.code, change.action, change.object_id) == ("wx-sx-01", menu.code, "upsert", menu.pk)
    data = branch1_api.data(
        '{ changes(account: "wx-sx-01", since: 0) { edges { node { kind item { ... on Menu { items { key } } } } } } }'
    )
    assert data["changes"]["edges"][0]["node"]["kind"] == "MENU"
    assert [i["key"] for i in data["changes"]["edges"][0]["node"]["item"]["items"]] == ["1", "1.1", "1.2", "3"]


def test_bundle_carries_the_menu_and_brand_variants(matrix):
    from publishing.changes.services import build_bundle

    published_menu(matrix["account_branch1"], wechat_nodes())
    bundle = build_bundle(matrix["account_branch1"])
    assert [n["key"] for n in bundle["menus"]["default"]] == ["1", "3"]
    assert [n["key"] for n in bundle["menus"]["gotone"]] == ["1", "2", "3"]
    assert "mzone" not in bundle["menus"]


def test_menu_tree_costs_the_same_queries_whatever_its_size(matrix, branch1_api, branch2_api):
    published_menu(matrix["account_branch1"], wechat_nodes())
    published_menu(matrix["account_branch2"], wechat_nodes(extra=3))

    def run(api, account):
        api.post(QUERY, {"a": account})
        with CaptureQueriesContext(connection) as captured:
            data = api.data(QUERY, {"a": account})
        return len(captured.captured_queries), len(data["menu"]["items"])

    small, small_items = run(branch1_api, "wx-sx-01")
    large, large_items = run(branch2_api, "wx-sx-02")
    assert large_items > small_items
    # authentication (4) and the time budget, then the published tree of the menu the
    # account is served (its own or one rolled out to it; its source not asked): one query
    assert small == large == 4 + BUDGET_QUERIES + 1
