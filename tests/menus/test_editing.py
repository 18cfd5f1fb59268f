"""Draft edits of the tree: add, edit, move (reorder, re-parent), hide, delete, override."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from content.models import Brand
from menus import editing
from menus.models import MenuNode
from menus.services import publish
from menus.tree import draft_tree
from tests.support.menus import make_menu

pytestmark = pytest.mark.django_db


def shape(menu):
    def walk(nodes):
        return [(n["key"], n["name"], walk(n["children"])) if n["children"] else (n["key"], n["name"]) for n in nodes]

    return walk(draft_tree(menu))


@pytest.fixture
def menu(sms_account, templates, sms_nodes):
    return make_menu(sms_account, sms_nodes)


def by_name(menu, name):
    return MenuNode.objects.get(menu=menu, name=name)


def test_add_node_takes_the_next_free_key_and_goes_last(menu):
    parent = by_name(menu, "话费查询")
    added = editing.add_node(menu, {"name": "账单", "type": "command", "command": "ZD",
                                    "reply_template": "TPL-PLAIN"}, parent_id=parent.pk)
    assert (added.key, added.order, added.reply_template.code) == ("3", 2, "TPL-PLAIN")
    assert shape(menu)[0][2][-1] == ("1.3", "账单")
    menu.refresh_from_db()
    assert menu.has_unpublished_changes


def test_add_node_refuses_unknown_references_by_field(menu):
    with pytest.raises(ValidationError) as refused:
        editing.add_node(menu, {"name": "x", "type": "command", "reply_template": "NOPE", "brands": "gotone,bad"})
    assert set(refused.value.message_dict) == {"reply_template", "brands"}


def test_add_node_only_under_a_submenu(menu):
    with pytest.raises(ValidationError) as refused:
        editing.add_node(menu, {"name": "x"}, parent_id=by_name(menu, "余额").pk)
    assert "parent" in refused.value.message_dict


def test_reorder_among_siblings(menu):
    editing.move_node(menu, by_name(menu, "套餐").pk, parent_id=by_name(menu, "话费查询").pk, position=0)
    assert shape(menu)[0][2] == [("1.2", "套餐"), ("1.1", "余额")]


def test_reparent_renumbers_both_sibling_lists(menu):
    changed = editing.move_node(menu, by_name(menu, "余额").pk, parent_id=by_name(menu, "帮助").pk, position=1)
    # 余额's key 1 is taken under 帮助: it gets the next free key
    assert shape(menu) == [("1", "话费查询", [("1.2", "套餐")]), ("2", "帮助", [("2.1", "使用说明"), ("2.2", "余额")])]
    assert set(changed) == {by_name(menu, "余额").pk, by_name(menu, "套餐").pk}


def test_move_to_top_level(menu):
    editing.move_node(menu, by_name(menu, "使用说明").pk, parent_id=None)
    assert [n[0] for n in shape(menu)] == ["1", "2", "3"]


def test_move_under_its_own_descendant_is_refused(menu):
    top = by_name(menu, "话费查询")
    sub = editing.add_node(menu, {"name": "子菜单"}, parent_id=top.pk)
    with pytest.raises(ValidationError) as refused:
        editing.move_node(menu, top.pk, parent_id=sub.pk)
    assert "parent" in refused.value.message_dict
    with pytest.raises(ValidationError):
        editing.move_node(menu, top.pk, parent_id=top.pk)


def test_edit_and_hide_a_node(menu):
    leaf = by_name(menu, "余额")
    editing.update_node(menu, leaf.pk, {"name": "余额查询", "brands": ["gotone"], "valid": False})
    editing.set_hidden(menu, leaf.pk, True)
    leaf.refresh_from_db()
    assert (leaf.name, leaf.brands, leaf.valid, leaf.hidden) == ("余额查询", ["gotone"], False, True)


def test_edit_refuses_an_empty_name(menu):
    with pytest.raises(ValidationError):
        editing.update_node(menu, by_name(menu, "余额").pk, {"name": " "})


def test_delete_removes_the_subtree(menu):
    removed = editing.delete_node(menu, by_name(menu, "话费查询").pk)
    assert len(removed) == 3
    assert shape(menu) == [("2", "帮助", [("2.1", "使用说明")])]


def test_edits_are_refused_while_another_user_holds_the_lock(menu, province_editor, superuser):
    menu.locked, menu.locked_by = True, superuser
    menu.save()
    with pytest.raises(PermissionDenied):
        editing.set_hidden(menu, by_name(menu, "余额").pk, True, user=province_editor)
    editing.set_hidden(menu, by_name(menu, "余额").pk, True, user=superuser)


def test_override_base_node_in_a_variant_copies_it_with_placeholders(matrix, miniprogram, wechat_nodes):
    # given
    account = matrix["account_province"]
    publish(make_menu(account, wechat_nodes))
    variant = make_menu(account, [], brand=Brand.objects.get(code="gotone"))
    # when
    override = editing.override_base_node(variant, "2.1")
    # then
    assert (override.name, override.type, override.miniprogram_account.code, override.inherit) == (
        "掌厅", "miniprogram", "mp-sx", False)
    assert override.parent.inherit and override.parent.key == "2"
    with pytest.raises(ValidationError):
        editing.override_base_node(variant, "9")
