"""The web hall's and mini-program's navigation as menu trees: ``category`` groups and
``shelf`` leaves naming a package family or business kind, checked by the one menu
validator (a shelf needs a kind and a family with live offers reaching the account,
a category needs children, other channels refuse both), and served by
``menu(account:)`` with ``shelfKind`` and ``family``."""

import pytest

from content.models import ChannelAccount
from menus.services import publish
from menus.validation import MenuValidationError, validate_tree
from tests.support.api import Api, make_api_client
from tests.support.content import committed
from tests.support.factories import BusinessFactory, ChannelAccountFactory, PackageFactory
from tests.support.menus import make_menu, node, tree

pytestmark = pytest.mark.django_db
MENU = """query($a: String!) { menu(account: $a) { items { key parentKey type name shelfKind family url } } }"""


@pytest.fixture
def web(matrix):
    return ChannelAccountFactory(
        code="web-sx", type=ChannelAccount.Type.WEB, organisation=matrix["province"], base_url="https://www.sx.example/"
    )


@pytest.fixture
def offers(matrix):
    p = matrix["province"]
    return [
        PackageFactory(code="P-5G", family="5G畅享套餐", organisation=p, sale_orgs=[p], published=True),
        PackageFactory(code="P-DRAFT", family="草稿系列", organisation=p, sale_orgs=[p], live=False),
        BusinessFactory(code="B-LL", kind="流量包", organisation=p, sale_orgs=[p], published=True),
    ]


def navigation(*extra):
    return [
        node(
            "1",
            "个人业务",
            "category",
            children=[
                node("1.1", "5G套餐", "shelf", shelf_kind="package", family="5G畅享套餐"),
                node("1.2", "流量包", "shelf", shelf_kind="business", family="流量包"),
                node("1.3", "充值", "view", url="/recharge"),
            ],
        ),
        *extra,
    ]


def errors(account, nodes):
    return [(e.record, e.field, e.code) for e in validate_tree(account, tree(*nodes))]


def test_categories_and_shelves_of_live_families_are_a_valid_web_navigation(web, offers):
    assert errors(web, navigation()) == []


def test_a_shelf_needs_a_kind_and_a_family_with_live_offers(web, offers):
    bad = navigation(
        node("2", "空分类", "category"),
        node("3", "货架", "shelf", family="5G畅享套餐"),
        node("4", "草稿", "shelf", shelf_kind="package", family="草稿系列"),
        node("5", "无系列", "shelf", shelf_kind="business", family=""),
        node(
            "6",
            "货架下",
            "shelf",
            shelf_kind="package",
            family="5G畅享套餐",
            children=[node("6.1", "x", "view", url="/x")],
        ),
    )
    assert errors(web, bad) == [
        ("2", "children", "empty_submenu"),
        ("3", "shelf_kind", "required"),
        ("5", "family", "required"),
        ("6", "children", "leaf_children"),
        ("4", "family", "empty_shelf"),
    ]


def test_a_family_sold_only_elsewhere_is_an_empty_shelf_for_a_branch_web_hall(matrix, offers):
    # the province's package reaches the province's web hall, not a branch's
    PackageFactory(code="P-B2", family="宝鸡专享", organisation=matrix["branch2"], published=True)
    branch_web = ChannelAccountFactory(code="web-sx-01", type="web", organisation=matrix["branch1"])
    shelf = [node("1", "宝鸡", "shelf", shelf_kind="package", family="宝鸡专享")]
    assert errors(branch_web, shelf) == [("1", "family", "empty_shelf")]


def test_wechat_and_sms_menus_refuse_navigation_nodes(matrix, offers):
    sms = ChannelAccountFactory(code="sms-sx", type="sms", organisation=matrix["province"])
    assert ("1", "type", "invalid_type") in errors(sms, navigation())
    assert ("1", "type", "invalid_type") in errors(matrix["account_province"], navigation())


def test_publishing_refuses_a_broken_shelf_and_serves_a_valid_navigation(web, offers, matrix):
    menu = make_menu(web, navigation(node("2", "坏货架", "shelf", shelf_kind="package", family="不存在")))
    with pytest.raises(MenuValidationError, match="不存在"):
        publish(menu)
    menu = make_menu(
        ChannelAccountFactory(code="mp-sx", type="wechat_miniprogram", organisation=matrix["province"]), navigation()
    )
    with committed():
        publish(menu)
    api = Api(make_api_client("小程序", matrix["province"], [menu.account])[1])
    items = {i["key"]: i for i in api.data(MENU, {"a": "mp-sx"})["menu"]["items"]}
    assert items["1"]["type"] == "category" and (items["1"]["shelfKind"], items["1"]["family"]) == ("", "")
    assert (items["1.1"]["parentKey"], items["1.1"]["shelfKind"], items["1.1"]["family"]) == (
        "1",
        "package",
        "5G畅享套餐",
    )
    assert (items["1.2"]["shelfKind"], items["1.2"]["family"]) == ("business", "流量包")
    assert items["1.3"]["shelfKind"] == "" and items["1.3"]["url"] == "/recharge"
