"""Channel rules of menu trees, one test per rule, through the one validator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Article, ChannelAccount, SmsCommand
from menus.models import MenuNode
from menus.validation import validate_draft, validate_tree
from tests.support.menus import make_menu, make_template, node

pytestmark = pytest.mark.django_db


def errors_of(account, nodes):
    return {(e.record, e.field, e.code) for e in validate_tree(account, nodes)}


# -- WeChat official accounts ----------------------------------------------------

def test_valid_wechat_menu_has_no_violations(matrix, miniprogram, wechat_nodes):
    assert validate_tree(matrix["account_province"], wechat_nodes) == []


def test_wechat_refuses_a_fourth_top_level_button(matrix, miniprogram, wechat_nodes):
    # given
    nodes = wechat_nodes + [node("4", "第四个", "click", event_key="K4")]
    # when / then
    assert ("4", "key", "too_many") in errors_of(matrix["account_province"], nodes)


def test_wechat_refuses_a_sixth_sub_button(matrix):
    subs = [node(f"1.{i}", f"按钮{i}", "click", event_key=f"K{i}") for i in range(1, 7)]
    errors = errors_of(matrix["account_province"], [node("1", "查询", children=subs)])
    assert ("1.6", "key", "too_many") in errors
    assert not any(record == "1.5" for record, _, _ in errors)


def test_hidden_buttons_do_not_count_towards_wechat_limits(matrix):
    nodes = [node(str(i), f"菜单{i}", "click", event_key=f"K{i}", hidden=i == 4) for i in range(1, 5)]
    assert validate_tree(matrix["account_province"], nodes) == []


def test_wechat_top_level_name_is_limited_to_16_bytes(matrix):
    five = [node("1", "五个汉字啊", "click", event_key="K")]  # 15 bytes
    six = [node("1", "六个汉字啊啊", "click", event_key="K")]  # 18 bytes
    assert validate_tree(matrix["account_province"], five) == []
    assert ("1", "name", "name_bytes") in errors_of(matrix["account_province"], six)


def test_wechat_sub_button_name_is_limited_to_60_bytes(matrix):
    ok = [node("1", "查询", children=[node("1.1", "字" * 20, "click", event_key="K")])]
    too_long = [node("1", "查询", children=[node("1.1", "字" * 21, "click", event_key="K")])]
    assert validate_tree(matrix["account_province"], ok) == []
    assert ("1.1", "name", "name_bytes") in errors_of(matrix["account_province"], too_long)


def test_wechat_view_url_must_be_https_and_at_most_1024_bytes(matrix):
    account = matrix["account_province"]
    http = [node("1", "官网", "view", url="http://www.example-operator.cn/")]
    long = [node("1", "官网", "view", url="https://e.cn/" + "a" * 1012)]  # 1025 bytes
    exact = [node("1", "官网", "view", url="https://e.cn/" + "a" * 1011)]  # 1024 bytes
    assert ("1", "url", "https") in errors_of(account, http)
    assert ("1", "url", "url_bytes") in errors_of(account, long)
    assert validate_tree(account, exact) == []


def test_wechat_miniprogram_button_must_point_at_a_miniprogram_account(matrix, miniprogram):
    account = matrix["account_province"]
    other = [node("1", "掌厅", "miniprogram", url="https://e.cn/m", miniprogram={"account": "wx-sx-01", "pagepath": "p"})]
    unknown = [node("1", "掌厅", "miniprogram", url="https://e.cn/m", miniprogram={"account": "nope", "pagepath": "p"})]
    missing_page = [node("1", "掌厅", "miniprogram", url="https://e.cn/m", miniprogram={"account": "mp-sx"})]
    assert ("1", "miniprogram.account", "not_miniprogram") in errors_of(account, other)
    assert ("1", "miniprogram.account", "not_miniprogram") in errors_of(account, unknown)
    assert ("1", "miniprogram.pagepath", "required") in errors_of(account, missing_page)


def test_wechat_click_needs_an_event_key(matrix):
    assert ("1", "event_key", "required") in errors_of(matrix["account_province"], [node("1", "客服", "click")])


def test_wechat_menu_is_two_levels_deep(matrix):
    deep = [node("1", "一", children=[node("1.1", "二", children=[node("1.1.1", "三", "click", event_key="K")])])]
    errors = errors_of(matrix["account_province"], deep)
    assert ("1.1.1", "key", "max_depth") in errors


def test_wechat_article_button_needs_a_published_article_of_the_account(matrix):
    account = matrix["account_province"]
    draft = Article.objects.create(code="ART1", title="草稿", organisation=matrix["province"], live=False)
    elsewhere = Article.objects.create(code="ART2", title="网站专用", organisation=matrix["province"], live=True,
                                       channels=["web"])
    Article.objects.create(code="ART3", title="已发布", organisation=matrix["province"], live=True)

    def button(code):
        return [node("1", "图文", "article_id", article=code)]

    assert ("1", "article", "article_unavailable") in errors_of(account, button(draft.code))
    assert ("1", "article", "article_unavailable") in errors_of(account, button(elsewhere.code))
    assert ("1", "article", "unknown_article") in errors_of(account, button("NOPE"))
    assert validate_tree(account, button("ART3")) == []


# -- SMS business hall -------------------------------------------------------------

def test_valid_sms_menu_has_no_violations(sms_account, templates, sms_nodes):
    assert validate_tree(sms_account, sms_nodes) == []


@pytest.mark.parametrize("key, ok", [("1", True), ("9", True), ("x12", True), ("0", False), ("10", False), ("a", False)])
def test_sms_keys_are_digits_one_to_nine_or_extension_keys(sms_account, templates, key, ok):
    nodes = [node(key, "业务", "command", command="CXYE", reply_template="TPL-BALANCE")]
    assert (validate_tree(sms_account, nodes) == []) is ok


def test_sms_keys_are_unique_among_siblings(sms_account, templates):
    nodes = [node("1", "话费", children=[
        node("1.1", "余额", "command", command="A1", reply_template="TPL-BALANCE"),
        node("1.1", "套餐", "command", command="A2", reply_template="TPL-PACKAGE"),
    ])]
    assert ("1.1", "key", "duplicate_key") in errors_of(sms_account, nodes)


def test_sms_command_is_unique_within_the_account(sms_account, templates, sms_nodes):
    sms_nodes[1]["children"].append(node("2.2", "重复", "command", command="cxye", reply_template="TPL-PLAIN"))
    assert ("2.2", "command", "duplicate_command") in errors_of(sms_account, sms_nodes)


def test_sms_command_already_bound_to_another_template_is_refused(sms_account, templates, sms_nodes):
    SmsCommand.objects.create(account=sms_account, command="CXYE", template=templates["plain"])
    assert ("1.1", "command", "command_taken") in errors_of(sms_account, sms_nodes)


def test_sms_command_bound_to_the_same_template_is_accepted(sms_account, templates, sms_nodes):
    SmsCommand.objects.create(account=sms_account, command="CXYE", template=templates["balance"])
    assert validate_tree(sms_account, sms_nodes) == []


def test_sms_reply_template_must_exist_and_be_published(sms_account, templates):
    def leaf(template):
        return [node("1", "查询", "command", command="CX", reply_template=template)]

    assert ("1", "reply_template", "unknown_template") in errors_of(sms_account, leaf("NOPE"))
    assert ("1", "reply_template", "template_not_published") in errors_of(sms_account, leaf("TPL-DRAFT"))
    assert ("1", "reply_template", "required") in errors_of(sms_account, leaf(None))


def test_sms_reply_template_scheduled_to_go_live_serves_only_a_menu_going_live_after_it(sms_account, matrix):
    # given: a never-published template scheduled for tomorrow through Wagtail
    template = make_template("TPL-LATER", "明天上线。", organisation=matrix["province"], live=False)
    template.go_live_at = timezone.now() + timedelta(days=1)
    template.save_revision(clean=False).publish()
    template.refresh_from_db()
    assert not template.live
    nodes = [node("1", "预告", "command", command="YG", reply_template="TPL-LATER")]
    # when / then: a menu scheduled after it may use it; one live now, or before it, may not
    assert validate_tree(sms_account, nodes, go_live_at=timezone.now() + timedelta(days=2)) == []
    assert ("1", "reply_template", "template_not_published") in errors_of(sms_account, nodes)
    early = validate_tree(sms_account, nodes, go_live_at=timezone.now() + timedelta(hours=1))
    assert [(e.record, e.code, e.message) for e in early] == [
        ("1", "template_not_published", "回复模板 TPL-LATER 在菜单上线时尚未发布")
    ]


def test_sms_refuses_node_types_of_other_channels(sms_account):
    assert ("1", "type", "invalid_type") in errors_of(sms_account, [node("1", "点击", "click", event_key="K")])


def test_only_submenus_hold_children_and_submenus_are_not_empty(sms_account, templates):
    nodes = [
        node("1", "叶子", "command", command="C1", reply_template="TPL-PLAIN",
             children=[node("1.1", "下级", "command", command="C11", reply_template="TPL-PLAIN")]),
        node("2", "空的"),
    ]
    errors = errors_of(sms_account, nodes)
    assert ("1", "children", "leaf_children") in errors
    assert ("2", "children", "empty_submenu") in errors


def test_sms_depth_is_bounded(sms_account, templates):
    leaf = node("1.1.1.1.1.1.1", "深", "command", command="DEEP", reply_template="TPL-PLAIN")
    for depth in range(6, 0, -1):
        leaf = node(".".join(["1"] * depth), f"第{depth}层", children=[leaf])
    assert ("1.1.1.1.1.1.1", "key", "max_depth") in errors_of(sms_account, [leaf])


def test_keys_must_extend_the_parent_key(sms_account, templates):
    nodes = [node("1", "话费", children=[node("2.1", "错位", "command", command="C1", reply_template="TPL-PLAIN")])]
    assert ("2.1", "key", "key_path") in errors_of(sms_account, nodes)


def test_unknown_brand_is_named_on_the_node(sms_account, templates, sms_nodes):
    sms_nodes[0]["children"][0]["brands"] = ["gotone", "nosuch"]
    assert ("1.1", "brands", "unknown_brand") in errors_of(sms_account, sms_nodes)


def test_a_cycle_in_the_draft_rows_is_reported(sms_account, templates, sms_nodes):
    # given: node 2 re-parented under its own child 2.1 by a direct database write
    menu = make_menu(sms_account, sms_nodes)
    two = MenuNode.objects.get(menu=menu, key="2", parent=None)
    child = MenuNode.objects.get(menu=menu, parent=two)
    MenuNode.objects.filter(pk=two.pk).update(parent=child)
    # when
    errors = {(e.record, e.field, e.code) for e in validate_draft(menu)}
    # then
    assert ("2", "parent", "cycle") in errors
    assert ("1", "parent", "cycle") in errors


# -- Web and mini-program navigation -------------------------------------------------

def test_web_navigation_takes_https_or_site_relative_links(web_account):
    ok = [node("1", "首页", "view", url="/sx/home"), node("2", "活动", "view", url="https://e.cn/a")]
    bad = [node("1", "首页", "view", url="http://e.cn/"), node("2", "空", "view")]
    assert validate_tree(web_account, ok) == []
    errors = errors_of(web_account, bad)
    assert ("1", "url", "https") in errors
    assert ("2", "url", "required") in errors


def test_miniprogram_navigation_takes_page_paths(miniprogram):
    assert validate_tree(miniprogram, [node("1", "首页", "view", url="pages/index/index")]) == []
    assert ("1", "type", "invalid_type") in errors_of(miniprogram, [node("1", "命令", "command", command="C")])


def test_every_violation_names_node_key_and_field(matrix):
    errors = validate_tree(matrix["account_province"], [node("1", "六个汉字啊啊", "view", url="ftp://x")])
    assert {str(e) for e in errors} == {
        "1.name: 一级菜单名称不能超过16字节(约5个汉字),当前18字节",
        "1.url: 链接须以 https:// 开头",
    }


def test_account_without_menus_is_refused(matrix):
    account = ChannelAccount(code="x", type="fax")
    assert validate_tree(account, [])[0].field == "type"


def test_validating_a_draft_takes_a_fixed_number_of_queries(sms_account, templates, sms_nodes,
                                                            django_assert_max_num_queries):
    # given: the small tree and the same tree with fifty more leaves
    menu = make_menu(sms_account, sms_nodes)
    with django_assert_max_num_queries(4):
        assert validate_draft(menu) == []
    parent = MenuNode.objects.get(menu=menu, key="2", parent=None)
    MenuNode.objects.bulk_create([
        MenuNode(menu=menu, parent=parent, key=f"x{i}", name=f"扩展{i}", order=i + 1, type="command", command=f"K{i}",
                 reply_template=templates["plain"]) for i in range(50)
    ])
    # when / then
    with django_assert_max_num_queries(4):
        assert validate_draft(menu) == []


def test_the_draft_counts_the_violations_publishing_finds_in_live_brand_variants(matrix):
    # given: a WeChat base menu of two buttons and a live 全球通 variant adding a third
    from content.models import Brand
    from menus.services import publish, replace_draft
    from menus.validation import MenuValidationError
    from tests.support.menus import tree

    account = matrix["account_province"]
    base = make_menu(account, [node("1", "查询", "click", event_key="K1"), node("2", "办理", "click", event_key="K2")])
    publish(base)
    variant = make_menu(account, [node("3", "专享", "click", event_key="K3")], brand=Brand.objects.get(code="gotone"))
    variant.match_tag_id = "101"
    variant.save()
    publish(variant)
    # when: the base's draft gets a third button of its own (a fourth for 全球通 customers)
    replace_draft(base, tree(node("1", "查询", "click", event_key="K1"), node("2", "办理", "click", event_key="K2"),
                             node("4", "客服", "click", event_key="K4")))
    # then: the editor's count is the one publishing refuses with, naming the variant
    draft = validate_draft(base)
    with pytest.raises(MenuValidationError) as refused:
        publish(base)
    assert len(draft) == len(refused.value.errors) == 1
    assert "品牌变体 gotone" in draft[0].message
