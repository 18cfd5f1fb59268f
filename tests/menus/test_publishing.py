"""Publishing versions, serving the published tree, brand variants and rollback."""

import pytest
from django.core.exceptions import PermissionDenied

from content.models import Brand
from menus import editing
from menus.models import MenuNode, MenuVersion
from menus.services import live_version, publish, published_tree, rollback
from menus.signals import menu_version_published
from menus.validation import MenuValidationError
from tests.support.menus import make_menu, node

pytestmark = pytest.mark.django_db


def names(nodes):
    return [(n["key"], n["name"]) for n in nodes]


def test_publish_freezes_an_immutable_numbered_version(sms_account, templates, sms_nodes, superuser):
    # given
    menu = make_menu(sms_account, sms_nodes)
    # when
    first = publish(menu, superuser, comment="首次发布")
    second = publish(menu, superuser, comment="再次发布")
    # then
    assert (first.number, second.number) == (1, 2)
    assert first.author == superuser and first.comment == "首次发布" and first.node_count == 5
    assert [n["key"] for n in first.tree] == ["1", "2"]
    menu.refresh_from_db()
    assert menu.live and not menu.has_unpublished_changes and menu.live_revision_id == second.revision_id
    with pytest.raises(Exception):
        first.comment = "改写"
        first.save()
    assert MenuVersion.objects.get(pk=first.pk).comment == "首次发布"


def test_publish_sends_menu_version_published(sms_account, templates, sms_nodes):
    menu = make_menu(sms_account, sms_nodes)
    received = []

    def handler(sender, version, menu, account, **kwargs):
        received.append((version.number, menu.pk, account.pk))

    menu_version_published.connect(handler)
    try:
        publish(menu)
    finally:
        menu_version_published.disconnect(handler)
    assert received == [(1, menu.pk, sms_account.pk)]


def test_invalid_tree_is_refused_whole_and_the_last_version_keeps_serving(sms_account, templates, sms_nodes):
    # given: a published menu whose draft then breaks two rules
    menu = make_menu(sms_account, sms_nodes)
    publish(menu)
    editing.update_node(menu, MenuNode.objects.get(menu=menu, name="余额").pk, {"command": "CXTC"})
    editing.add_node(menu, {"name": "空子菜单", "key": "3"})
    # when
    with pytest.raises(MenuValidationError) as refused:
        publish(menu)
    # then
    assert {(e.record, e.field) for e in refused.value.errors} == {("1.2", "command"), ("3", "children")}
    assert any("1.2.command" in message for message in refused.value.messages)
    assert menu.versions.count() == 1
    assert names(published_tree(sms_account)) == [("1", "话费查询"), ("2", "帮助")]
    assert published_tree(sms_account)[0]["children"][0]["command"] == "CXYE"


def test_published_tree_is_one_query(sms_account, templates, sms_nodes, django_assert_num_queries):
    menu = make_menu(sms_account, sms_nodes)
    publish(menu)
    with django_assert_num_queries(1):
        tree = published_tree(sms_account, "gotone")
    assert names(tree) == [("1", "话费查询"), ("2", "帮助")]


def test_published_tree_ignores_draft_edits_until_published(sms_account, templates, sms_nodes):
    menu = make_menu(sms_account, sms_nodes)
    publish(menu)
    editing.update_node(menu, MenuNode.objects.get(menu=menu, key="2", parent=None).pk, {"name": "使用帮助"})
    assert names(published_tree(sms_account))[1] == ("2", "帮助")
    publish(menu)
    assert names(published_tree(sms_account))[1] == ("2", "使用帮助")


def test_published_tree_serves_brand_nodes_only_to_that_brand(sms_account, templates, sms_nodes):
    sms_nodes[0]["children"][1]["brands"] = ["gotone"]
    sms_nodes[1]["hidden"] = True
    publish(make_menu(sms_account, sms_nodes))
    assert names(published_tree(sms_account, "gotone")[0]["children"]) == [("1.1", "余额"), ("1.2", "套餐")]
    assert names(published_tree(sms_account, "mzone")[0]["children"]) == [("1.1", "余额")]
    assert names(published_tree(sms_account)) == [("1", "话费查询")]
    assert names(published_tree(sms_account, include_hidden=True)) == [("1", "话费查询"), ("2", "帮助")]


def test_unpublished_menu_serves_nothing(sms_account, templates, sms_nodes):
    menu = make_menu(sms_account, sms_nodes)
    assert published_tree(sms_account) == []
    publish(menu)
    menu.refresh_from_db()
    menu.unpublish()
    assert published_tree(sms_account) == []


# -- brand variants --------------------------------------------------------------------

def test_brand_variant_overrides_base_nodes_and_follows_the_base(matrix, miniprogram, wechat_nodes):
    # given: a base menu and a gotone variant overriding button 2.1 and adding 1.3
    account = matrix["account_province"]
    gotone = Brand.objects.get(code="gotone")
    base = make_menu(account, wechat_nodes)
    publish(base)
    variant = make_menu(account, [
        node("1", "查询", inherit=True, children=[node("1.3", "积分", "click", event_key="POINTS")]),
        node("2", "办理", inherit=True, children=[node("2.1", "全球通尊享", "view", url="https://e.cn/vip")]),
    ], brand=gotone)
    publish(variant)
    # when
    for_gotone = published_tree(account, gotone)
    for_others = published_tree(account, "mzone")
    # then
    assert names(for_gotone[0]["children"]) == [("1.1", "话费"), ("1.2", "流量"), ("1.3", "积分")]
    assert for_gotone[1]["children"][0]["name"] == "全球通尊享" and for_gotone[1]["children"][0]["type"] == "view"
    assert names(for_others[0]["children"]) == [("1.1", "话费"), ("1.2", "流量")]
    # and the base's later changes reach the variant
    editing.update_node(base, MenuNode.objects.get(menu=base, key="3").pk, {"name": "在线客服"})
    publish(base)
    assert published_tree(account, gotone)[2]["name"] == "在线客服"


def test_variant_that_breaks_a_rule_over_the_base_is_refused(matrix, miniprogram, wechat_nodes):
    account = matrix["account_province"]
    publish(make_menu(account, wechat_nodes))
    variant = make_menu(account, [node("4", "第四个", "click", event_key="K4")], brand=Brand.objects.get(code="gotone"))
    with pytest.raises(MenuValidationError) as refused:
        publish(variant)
    assert [(e.record, e.field, e.code) for e in refused.value.errors] == [("4", "key", "too_many")]


def test_base_change_that_breaks_a_live_variant_is_refused(matrix, miniprogram, wechat_nodes):
    # given: a variant adding a third sub-button under 2
    account = matrix["account_province"]
    base = make_menu(account, wechat_nodes)
    publish(base)
    variant = make_menu(account, [node("2", "办理", inherit=True, children=[
        node("2.2", "a", "click", event_key="A"), node("2.3", "b", "click", event_key="B"),
        node("2.4", "c", "click", event_key="C"), node("2.5", "d", "click", event_key="D")])],
        brand=Brand.objects.get(code="gotone"))
    publish(variant)
    # when: the base adds a sixth sub-button for everybody under 2
    two = MenuNode.objects.get(menu=base, key="2", parent=None)
    editing.add_node(base, {"name": "e", "type": "click", "event_key": "E", "key": "6"}, parent_id=two.pk)
    # then: the variant's merged menu would show six sub-buttons (base ones first)
    with pytest.raises(MenuValidationError) as refused:
        publish(base)
    assert [(e.record, e.field, e.list) for e in refused.value.errors] == [("2.5", "key", variant.code)]


# -- rollback ------------------------------------------------------------------------

def test_rollback_publishes_an_old_version_as_new(sms_account, templates, sms_nodes, superuser):
    # given: v1, then v2 renames 2
    menu = make_menu(sms_account, sms_nodes)
    v1 = publish(menu, superuser)
    editing.update_node(menu, MenuNode.objects.get(menu=menu, key="2", parent=None).pk, {"name": "使用帮助"})
    publish(menu, superuser)
    # when
    v3 = rollback(menu, 1, superuser)
    # then
    assert v3.number == 3 and v3.rolled_back_from == 1 and v3.comment == "回滚到版本 1"
    assert v3.tree == v1.tree
    assert names(published_tree(sms_account))[1] == ("2", "帮助")
    assert MenuNode.objects.get(menu=menu, key="2", parent=None).name == "帮助"  # the draft follows


def test_rollback_to_a_version_that_no_longer_validates_is_refused(sms_account, templates, sms_nodes):
    menu = make_menu(sms_account, sms_nodes)
    publish(menu)
    editing.update_node(menu, MenuNode.objects.get(menu=menu, name="余额").pk, {"reply_template": "TPL-PLAIN"})
    publish(menu)
    templates["balance"].delete()
    with pytest.raises(MenuValidationError) as refused:
        rollback(menu, 1)
    assert [(e.record, e.field) for e in refused.value.errors] == [("1.1", "reply_template")]
    assert live_version(menu).number == 2


def test_rollback_to_an_unknown_version_names_the_version(sms_account, templates, sms_nodes):
    menu = make_menu(sms_account, sms_nodes)
    with pytest.raises(Exception) as refused:
        rollback(menu, 7)
    assert "version" in refused.value.message_dict


def test_publish_is_refused_while_another_editor_holds_the_lock(sms_account, templates, sms_nodes, superuser,
                                                               province_editor):
    menu = make_menu(sms_account, sms_nodes)
    menu.locked, menu.locked_by = True, province_editor
    menu.save()
    with pytest.raises(PermissionDenied):
        publish(menu, superuser)
    assert publish(menu, province_editor).number == 1
