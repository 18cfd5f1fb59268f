"""Menu rollout: a province menu served to chosen official accounts below it with
each account's variables, checked per account, isolated between branches, and read
over GraphQL as each account's effective menu."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import roles
from content.models import Brand
from menus import rollout
from menus.models import AccountVariable, MenuRollout
from menus.services import live_version, publish, replace_draft
from menus.validation import MenuValidationError
from tests.support.api import Api, make_api_client
from tests.support.factories import ChannelAccountFactory
from tests.support.menus import make_menu, node, tree
from tests.support.rollout import name_accounts, province_menu
from tests.support.users import make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(matrix):
    return name_accounts(
        [
            matrix["account_province"],
            matrix["account_branch1"],
            matrix["account_branch2"],
        ]
    )


@pytest.fixture
def menu(accounts):
    return province_menu(accounts[0])


@pytest.fixture
def province_publisher(matrix):
    return make_editor("publisher-sx", matrix["province"], roles.PUBLISHERS)


def test_each_chosen_account_is_served_the_province_menu_with_its_own_variables(
    menu, accounts, province_publisher
):
    province, xian, baoji = accounts
    # when the province rolls its menu out to both branches' accounts
    added, removed = rollout.choose(menu, [xian, baoji], province_publisher)
    # then each branch account is served the province menu with its own name, hall URL and key
    assert ([a.code for a in added], removed) == (["wx-sx-01", "wx-sx-02"], [])
    for account, name, url in (
        (xian, "西安移动", "https://xa.example-operator.cn/home"),
        (baoji, "宝鸡市移动", "https://bj.example-operator.cn/home"),
    ):
        source, served = rollout.effective_tree(account.pk)
        assert (source.menu, source.rolled_out, source.organisation.code) == (
            menu,
            True,
            "SX",
        )
        assert (served[0]["name"], served[0]["url"]) == (name, url)
        assert served[1]["children"][0]["event_key"] == f"SVC_{account.code}"
    # and the province account keeps its own, with its own values
    source, served = rollout.effective_tree(province.pk)
    assert (source.menu, source.rolled_out, served[0]["name"]) == (
        menu,
        False,
        "陕西移动",
    )
    assert [a.code for a in rollout.served_accounts(menu)] == [
        "wx-sx",
        "wx-sx-01",
        "wx-sx-02",
    ]


def test_an_account_with_its_own_menu_shows_the_rolled_out_one_until_it_is_removed(
    menu, accounts, province_publisher
):
    xian = accounts[1]
    own = make_menu(
        xian, [node("1", "西安专区", "click", event_key="XA")], code="menu-xa"
    )
    publish(own)
    rollout.choose(menu, [xian], province_publisher)
    assert rollout.effective_tree(xian.pk)[1][0]["name"] == "西安移动"
    # the branch's own menu is no longer what its account is pushed
    assert [a.code for a in rollout.served_accounts(own)] == []
    # when the province takes the account out of the rollout
    _, removed = rollout.choose(menu, [], province_publisher)
    # then the account serves its own menu again
    assert [a.code for a in removed] == ["wx-sx-01"]
    source, served = rollout.effective_tree(xian.pk)
    assert (source.menu, source.rolled_out, served[0]["name"]) == (
        own,
        False,
        "西安专区",
    )


def test_a_substituted_name_over_wechats_limit_is_refused_naming_the_account_and_node(
    menu, accounts, province_publisher
):
    _, xian, baoji = accounts
    # given a branch account whose name is 36 bytes (WeChat's top-level button holds 16)
    baoji.name = "宝鸡市分公司营业厅官方号"
    baoji.save(update_fields=["name"])
    # when the province rolls its menu out to both branches
    with pytest.raises(MenuValidationError) as refused:
        rollout.choose(menu, [xian, baoji], province_publisher)
    # then it is refused naming the account and the node, and nothing is stored
    assert [str(e) for e in refused.value.errors] == [
        "wx-sx-02 1.name: 一级菜单名称不能超过16字节(约5个汉字),当前36字节"
    ]
    assert not MenuRollout.objects.exists()


def test_a_variable_an_account_lacks_is_refused_naming_it(
    menu, accounts, province_publisher
):
    baoji = accounts[2]
    AccountVariable.objects.filter(account=baoji).delete()
    with pytest.raises(MenuValidationError) as refused:
        rollout.choose(menu, [baoji], province_publisher)
    assert [str(e) for e in refused.value.errors] == [
        "wx-sx-02 1.url: 公众号 wx-sx-02 没有变量 {hall_url}"
    ]
    assert not MenuRollout.objects.exists()


def test_a_new_version_that_breaks_for_one_chosen_account_is_not_published(
    menu, accounts, province_publisher
):
    rollout.choose(menu, accounts[1:], province_publisher)
    live = live_version(menu)
    # given a draft whose first button is the account's name and one more character
    replace_draft(
        menu, tree(node("1", "{account_name}号", "view", url="{hall_url}/home"))
    )
    # when it is published: 陕西移动号 and 西安移动号 fit in 15 bytes, 宝鸡市移动号 takes 18
    with pytest.raises(MenuValidationError) as refused:
        publish(menu)
    # then the one account it breaks for is named, and the live version keeps serving
    assert [str(e) for e in refused.value.errors] == [
        "wx-sx-02 1.name: 一级菜单名称不能超过16字节(约5个汉字),当前18字节"
    ]
    assert live_version(menu) == live


def test_a_branch_publisher_rolls_out_only_to_accounts_of_their_branch(
    matrix, accounts, branch_publisher
):
    # given a branch menu and an outlet account under the branch
    outlet = name_accounts(
        [
            ChannelAccountFactory(
                code="wx-sx-01-01", name="钟楼厅", organisation=matrix["outlet"]
            )
        ]
    )[0]
    branch_menu = province_menu(accounts[1], code="menu-xa")
    # then the sibling branch's account is no choice, and choosing it is refused with nothing stored
    assert [a.code for a in rollout.candidates(branch_menu, branch_publisher)] == [
        "wx-sx-01-01"
    ]
    with pytest.raises(PermissionDenied, match="wx-sx-02"):
        rollout.choose(branch_menu, [outlet, accounts[2]], branch_publisher)
    assert not MenuRollout.objects.exists()
    rollout.choose(branch_menu, [outlet], branch_publisher)
    assert [a.code for a in rollout.chosen(branch_menu)] == ["wx-sx-01-01"]


def test_an_account_follows_one_rolled_out_menu(
    matrix, menu, accounts, province_publisher
):
    outlet = name_accounts(
        [
            ChannelAccountFactory(
                code="wx-sx-01-01", name="钟楼厅", organisation=matrix["outlet"]
            )
        ]
    )[0]
    rollout.choose(menu, [outlet], province_publisher)
    branch_menu = province_menu(accounts[1], code="menu-xa")
    with pytest.raises(Exception, match="已接收菜单 menu-sx 的下发"):
        rollout.choose(branch_menu, [outlet], province_publisher)
    # and a menu rolled out to cannot be rolled out further
    rollout.choose(menu, [accounts[1], outlet], province_publisher)
    with pytest.raises(Exception, match="自身接收了其它菜单的下发"):
        rollout.choose(branch_menu, [], province_publisher)


QUERY = """query($a: String!) { menu(account: $a) {
  account source { menu account organisation rolledOut } items { key name url eventKey } } }"""


def test_graphql_serves_each_account_its_effective_menu_and_where_it_comes_from(
    matrix, menu, accounts, province_publisher
):
    province, xian, _ = accounts
    rollout.choose(menu, [xian], province_publisher)
    api = Api(make_api_client("西安前端", matrix["branch1"], [xian])[1])
    data = api.data(QUERY, {"a": "wx-sx-01"})["menu"]
    assert data["source"] == {
        "menu": "menu-sx",
        "account": "wx-sx",
        "organisation": "SX",
        "rolledOut": True,
    }
    assert data["items"][0] == {
        "key": "1",
        "name": "西安移动",
        "url": "https://xa.example-operator.cn/home",
        "eventKey": "",
    }
    assert data["items"][2]["eventKey"] == "SVC_wx-sx-01"
    own = Api(make_api_client("省前端", matrix["province"], [province])[1]).data(
        QUERY, {"a": "wx-sx"}
    )["menu"]
    assert own["source"] == {
        "menu": "menu-sx",
        "account": "wx-sx",
        "organisation": "SX",
        "rolledOut": False,
    }
    # an account without a menu says so
    rollout.choose(menu, [], province_publisher)
    assert api.data(QUERY, {"a": "wx-sx-01"})["menu"] == {
        "account": "wx-sx-01",
        "source": None,
        "items": [],
    }


def test_the_effective_menu_costs_the_same_queries_however_many_accounts_share_it(
    matrix, menu, accounts, province_publisher
):
    xian = accounts[1]
    api = Api(make_api_client("西安前端", matrix["branch1"], [xian])[1])

    def queries():
        api.post(QUERY, {"a": "wx-sx-01"})
        with CaptureQueriesContext(connection) as captured:
            data = api.data(QUERY, {"a": "wx-sx-01"})
        assert data["menu"]["source"]["rolledOut"] is True
        return len(captured.captured_queries)

    rollout.choose(menu, [xian], province_publisher)
    one = queries()
    many = name_accounts(
        [
            ChannelAccountFactory(
                code=f"wx-sx-01-{n:02d}", name=f"厅{n}", organisation=matrix["branch1"]
            )
            for n in range(20)
        ]
    )
    rollout.choose(menu, [xian, *many], province_publisher)
    assert queries() == one


def test_menu_variables_are_edited_in_the_admin_within_the_editors_branch(
    matrix, accounts, branch_publisher
):
    from django.test import Client

    client = Client()
    client.force_login(branch_publisher)
    own, sibling = (AccountVariable.objects.get(account=a) for a in accounts[1:])
    # the list shows the branch's account's variable only; the sibling's is a 404
    listing = client.get("/admin/snippets/menus/accountvariable/").content.decode()
    assert own.value in listing and sibling.value not in listing
    assert (
        client.get(
            f"/admin/snippets/menus/accountvariable/edit/{sibling.pk}/"
        ).status_code
        == 404
    )
    # a variable for the sibling's account is refused, and a built-in name is refused naming it
    add = "/admin/snippets/menus/accountvariable/add/"
    response = client.post(
        add, {"account": accounts[2].pk, "name": "sms_no", "value": "10086"}
    )
    assert (
        response.status_code == 200
        and not AccountVariable.objects.filter(name="sms_no").exists()
    )
    response = client.post(
        add, {"account": accounts[1].pk, "name": "account_name", "value": "别名"}
    )
    assert "account_name 由账号自身提供,不能另设" in response.content.decode()
    # a new variable of the branch's own account is stored and served
    response = client.post(
        add, {"account": accounts[1].pk, "name": "sms_no", "value": "10086"}
    )
    assert response.status_code == 302
    assert rollout_values(accounts[1])["sms_no"] == "10086"


def rollout_values(account):
    from menus.variables import values_for

    return values_for([account.pk])[account.pk]


def test_choosing_and_removing_an_account_is_recorded_in_its_change_log(
    menu, accounts, province_publisher
):
    from publishing.changes.models import Change
    from tests.support.content import committed

    xian = accounts[1]
    with committed():
        rollout.choose(menu, [xian], province_publisher)
    assert list(
        Change.objects.filter(account=xian).values_list("kind", "code", "action")
    ) == [("menu", "menu-sx", "upsert")]
    with committed():
        rollout.choose(menu, [], province_publisher)
    assert list(
        Change.objects.filter(account=xian)
        .order_by("version")
        .values_list("action", flat=True)
    ) == ["upsert", "unpublish"]


def test_without_its_source_the_served_menu_is_one_query_and_the_same_tree(
    matrix, menu, accounts, province_publisher
):
    from menus.models import Menu

    province, xian, baoji = accounts
    own = make_menu(xian, [node("1", "西安专区", "click", event_key="XA")], code="menu-xa")
    publish(own)
    gotone = Brand.objects.get(code="gotone")
    variant = make_menu(province, [node("3", "全球通专享", "click", event_key="GT")], code="menu-sx-gt", brand=gotone)
    publish(variant)

    def same_tree_in_one_query(account, brand=None, variables=False):
        served = rollout.served_menu_tree(account.pk, brand)[1]
        with CaptureQueriesContext(connection) as captured:
            tree = rollout.tree_served_to(account.pk, brand)
        assert tree == served
        # the tree, and the account's variables when it names one (the province's menu)
        assert len(captured.captured_queries) == 1 + variables
        return tree

    # an account with its own menu, one with none, the province's own with a brand's variant
    assert same_tree_in_one_query(xian)[0]["name"] == "西安专区"
    assert same_tree_in_one_query(baoji) == []
    assert [n["key"] for n in same_tree_in_one_query(province, "gotone", True)] == ["1", "2", "3"]
    # rolled out: the province's menu before the account's own, with its variables
    rollout.choose(menu, [xian, baoji], province_publisher)
    assert same_tree_in_one_query(xian, variables=True)[0]["name"] == "西安移动"
    assert [n["key"] for n in same_tree_in_one_query(baoji, "gotone", True)] == ["1", "2", "3"]
    # a rolled-out menu taken down serves nothing, not the account's own
    Menu.objects.filter(pk=menu.pk).update(live=False)
    assert same_tree_in_one_query(xian) == []
    # over GraphQL: the same items as with the source asked, one query fewer
    api = Api(make_api_client("西安前端", matrix["branch1"], [xian])[1])
    Menu.objects.filter(pk=menu.pk).update(live=True)
    without_source = QUERY.replace("source { menu account organisation rolledOut }", "")
    api.post(without_source, {"a": "wx-sx-01"})
    with CaptureQueriesContext(connection) as lean:
        items = api.data(without_source, {"a": "wx-sx-01"})["menu"]["items"]
    with CaptureQueriesContext(connection) as full:
        assert api.data(QUERY, {"a": "wx-sx-01"})["menu"]["items"] == items
    assert len(lean.captured_queries) == len(full.captured_queries) - 1
