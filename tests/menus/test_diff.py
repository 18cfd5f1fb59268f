"""Diffs of hand-built version pairs, node by node."""

import copy

import pytest

from menus import editing
from menus.models import MenuNode
from menus.services import diff_versions, publish
from tests.support.menus import make_menu


def leaf(uid, key, name, **fields):
    return {"uid": uid, "key": key, "name": name, "type": "command", "order": 0, "brands": [], "hidden": False,
            "valid": True, "inherit": False, "command": f"C{uid}", "reply_template": "T1", "url": "",
            "event_key": "", "miniprogram": None, "article": None, "children": [], **fields}


def submenu(uid, key, name, children):
    return {**leaf(uid, key, name, type="submenu", command="", reply_template=None), "children": children}


@pytest.fixture
def before():
    return [
        submenu("a", "1", "话费", [leaf("a1", "1.1", "余额"), leaf("a2", "1.2", "账单"), leaf("a3", "1.3", "充值")]),
        submenu("b", "2", "流量", [leaf("b1", "2.1", "剩余流量")]),
    ]


def kinds(diff):
    return sorted((c.kind, c.uid) for c in diff)


def test_identical_versions_have_no_changes(before):
    assert not diff_versions(before, copy.deepcopy(before))


def test_added_and_removed_nodes(before):
    after = copy.deepcopy(before)
    after[1]["children"].append(leaf("b2", "2.2", "流量包"))
    del after[0]["children"][2]
    assert kinds(diff_versions(before, after)) == [("added", "b2"), ("removed", "a3")]


def test_removing_a_submenu_removes_each_node_below_it(before):
    after = copy.deepcopy(before)[:1]
    assert kinds(diff_versions(before, after)) == [("removed", "b"), ("removed", "b1")]


def test_renamed_node(before):
    after = copy.deepcopy(before)
    after[0]["children"][0]["name"] = "话费余额"
    [change] = diff_versions(before, after)
    assert (change.kind, change.key, change.before, change.after) == ("renamed", "1.1", {"name": "余额"},
                                                                     {"name": "话费余额"})


def test_moved_to_another_parent(before):
    after = copy.deepcopy(before)
    moved = after[0]["children"].pop(1)
    after[1]["children"].append({**moved, "key": "2.2"})
    [change] = diff_versions(before, after)
    assert (change.kind, change.uid, change.before, change.after) == ("moved", "a2", {"parent": "1"}, {"parent": "2"})


def test_reordering_reports_only_the_node_that_moved(before):
    # given: 充值 moved from last to first; 余额 and 账单 keep their relative order
    after = copy.deepcopy(before)
    after[0]["children"].insert(0, after[0]["children"].pop())
    [change] = diff_versions(before, after)
    assert (change.kind, change.uid, change.before, change.after) == ("moved", "a3", {"position": 3},
                                                                     {"position": 1})


def test_retargeted_nodes(before):
    after = copy.deepcopy(before)
    after[0]["children"][0]["reply_template"] = "T2"
    after[0]["children"][1]["command"] = "ZD"
    changes = diff_versions(before, after)
    assert kinds(changes) == [("retargeted", "a1"), ("retargeted", "a2")]
    assert changes.of_kind("retargeted")[0].after["reply_template"] == "T2"


def test_other_attribute_changes_and_several_kinds_on_one_node(before):
    after = copy.deepcopy(before)
    after[1]["children"][0].update(name="流量查询", hidden=True, brands=["gotone"], url="https://e.cn")
    assert kinds(diff_versions(before, after)) == [("changed", "b1"), ("renamed", "b1"), ("retargeted", "b1")]
    assert diff_versions(before, after).of_kind("changed")[0].after == {"brands": ["gotone"], "hidden": True}


def test_diff_of_published_versions_follows_nodes_across_edits(sms_account, templates, sms_nodes):
    # given: v1, then 1.2 moves under 2 as 2.3 and 2 is renamed, v2
    menu = make_menu(sms_account, sms_nodes)
    v1 = publish(menu)
    package = MenuNode.objects.get(menu=menu, name="套餐")
    help_ = MenuNode.objects.get(menu=menu, name="帮助")
    editing.move_node(menu, package.pk, parent_id=help_.pk, position=0)
    editing.update_node(menu, package.pk, {"key": "3"})
    editing.update_node(menu, help_.pk, {"name": "更多"})
    v2 = publish(menu)
    # when
    diff = diff_versions(v1, v2)
    # then
    assert [(c.kind, c.key, c.name) for c in diff] == [
        ("renamed", "2", "更多"),
        ("moved", "2.3", "套餐"),
        ("changed", "2.3", "套餐"),
    ]
    assert diff.of_kind("changed")[0].after == {"key": "3"}
    assert diff.counts == {"added": 0, "removed": 0, "renamed": 1, "moved": 1, "retargeted": 0, "changed": 1}
