"""Importing legacy menu records: created / updated / unchanged, refusal of bad
trees naming node key and field, nothing written on refusal, brand variants."""

import pytest

from content.models import ChannelAccount
from importing.menu_records import import_menu
from menus.models import Menu, MenuNode, MenuVersion
from menus.services import diff_versions, live_version, published_tree
from menus.validation import MenuValidationError
from tests.support.menus import legacy_menu
from tests.support.trees import walk

pytestmark = pytest.mark.django_db


def base_menu(export, channel):
    """A copy of the export's base (brandless) menu of ``channel``."""
    return legacy_menu(export, next(m["code"] for m in export["menus"] if m["channel"] == channel and not m.get("brand")))


def _own_fields(node):
    return {k: v for k, v in node.items() if k != "children"}


def changed_keys(base_nodes, variant_nodes):
    """Keys of the variant's nodes that differ from (or are missing in) the base."""
    base = {n["key"]: _own_fields(n) for n in walk(base_nodes)}
    return {n["key"] for n in walk(variant_nodes) if base.get(n["key"]) != _own_fields(n)}


def wechat_sub_button_variant(export):
    """A WeChat brand variant that changes sub-buttons only, and its base menu (copies)."""
    for variant in export["menus"]:
        if variant["channel"] != "wechat_official_account" or not variant.get("brand"):
            continue
        base = next(m for m in export["menus"] if m["account"] == variant["account"] and not m.get("brand"))
        changed = changed_keys(base["nodes"], variant["nodes"])
        if changed and all("." in key for key in changed):
            return legacy_menu(export, base["code"]), legacy_menu(export, variant["code"])
    raise AssertionError("the sample export has no WeChat brand variant changing sub-buttons only")


def by_key(nodes):
    return {n["key"]: n for n in walk(nodes)}


def test_sample_export_menus_import_then_reimport_unchanged(legacy):
    # when
    first = [import_menu(record) for record in legacy["menus"]]
    again = [import_menu(record) for record in legacy["menus"]]
    # then
    assert first == ["created"] * len(legacy["menus"])
    assert again == ["unchanged"] * len(legacy["menus"])
    assert MenuVersion.objects.count() == len(legacy["menus"])
    record = base_menu(legacy, "sms")
    nodes = len(list(walk(record["nodes"])))
    sms = Menu.objects.get(code=record["code"])
    assert nodes > 1 and sms.nodes.count() == nodes and live_version(sms).node_count == nodes


def test_changed_record_publishes_the_next_version_keeping_node_identity(legacy, superuser):
    # given
    record = legacy_menu(legacy, "sms-main")
    import_menu(record)
    # when
    record["nodes"][1]["name"] = "流量专区"
    status = import_menu(record, user=superuser)
    # then
    menu = Menu.objects.get(code="sms-main")
    assert status == "updated"
    v1, v2 = menu.versions.order_by("number")
    assert v2.author == superuser and v2.comment == "导入"
    assert [(c.kind, c.key) for c in diff_versions(v1, v2)] == [("renamed", "2")]


def test_only_a_menu_name_change_updates_without_a_new_version(legacy):
    record = base_menu(legacy, "web")
    import_menu(record)
    record["name"] = "网上营业厅主导航"
    assert import_menu(record) == "updated"
    menu = Menu.objects.get(code=record["code"])
    assert menu.name == "网上营业厅主导航" and menu.versions.count() == 1


def test_dirty_wechat_menu_is_refused_naming_node_key_and_field_and_nothing_is_written(legacy):
    # given: the export's dirty record, a fourth top-level button with a name too long
    record = legacy_menu(legacy, "menu-wx-sx-01")
    record["code"] = "menu-bad-wechat"
    record["nodes"].append({"key": "4", "name": "第四个一级菜单名称过长", "type": "submenu", "brands": [],
                            "hidden": False, "valid": True, "children": []})
    Menu.objects.all().delete()
    # when
    with pytest.raises(MenuValidationError) as refused:
        import_menu(record)
    # then
    messages = refused.value.messages
    assert any(m.startswith("4.key: 微信最多3个一级菜单") for m in messages)
    assert any(m.startswith("4.name: 一级菜单名称不能超过16字节") for m in messages)
    assert any(m.startswith("4.children:") for m in messages)
    assert not Menu.objects.exists() and not MenuNode.objects.exists()


def test_refused_update_leaves_the_draft_and_the_live_version_alone(legacy):
    # given
    record = legacy_menu(legacy, "sms-main")
    import_menu(record)
    account = ChannelAccount.objects.get(code="sms-10086")
    served = published_tree(account, "gotone")
    # when: the next export binds two leaves to one command
    record["nodes"][0]["children"][0]["children"][1]["command"] = "C111"
    with pytest.raises(MenuValidationError) as refused:
        import_menu(record)
    # then
    assert [str(e) for e in refused.value.errors] == ["1.1.2.command: 指令 C111 与节点 1.1.1 重复"]
    assert published_tree(account, "gotone") == served
    assert MenuNode.objects.filter(menu__code="sms-main", command="C112").exists()


def test_unknown_references_name_the_record_and_field(legacy):
    record = base_menu(legacy, "web")
    with pytest.raises(MenuValidationError) as refused:
        import_menu({**record, "account": "nope", "brand": "nobrand"})
    code = record["code"]
    assert {(e.record, e.field) for e in refused.value.errors} == {(code, "account"), (code, "brand")}


def test_unknown_reply_template_is_named_on_the_node(legacy):
    record = base_menu(legacy, "sms")
    command = [n for n in walk(record["nodes"]) if n["type"] == "command" and n["key"].count(".") == 2][-1]
    command["reply_template"] = "SMS999999"
    with pytest.raises(MenuValidationError) as refused:
        import_menu(record)
    assert [(e.record, e.field) for e in refused.value.errors] == [(command["key"], "reply_template")]


def test_brand_variant_is_stored_as_overrides_of_the_base(legacy):
    # given: a WeChat menu and its brand's variant that changes sub-buttons only
    base, record = wechat_sub_button_variant(legacy)
    changed = changed_keys(base["nodes"], record["nodes"])
    brand = record["brand"]
    other = next(b["code"] for b in legacy["brands"] if b["code"] != brand)
    import_menu(base)
    account = ChannelAccount.objects.get(code=base["account"])
    served_to_others = published_tree(account, other)
    # when
    status = import_menu(legacy_menu(legacy, record["code"]))
    # then: only the changed buttons and their parents, as placeholders, are stored
    variant = Menu.objects.get(code=record["code"])
    assert status == "created"
    parents = {key.rsplit(".", 1)[0] for key in changed} - changed
    assert parents
    expected = [(key.rsplit(".", 1)[-1], False) for key in changed] + [(key, True) for key in parents]
    assert sorted((n.key, n.inherit) for n in variant.nodes.all()) == sorted(expected)
    mine, theirs = by_key(published_tree(account, brand)), by_key(record["nodes"])
    for key in changed:
        assert (mine[key]["name"], mine[key]["url"]) == (theirs[key]["name"], theirs[key].get("url") or ""), key
    assert published_tree(account, other) == served_to_others
    assert import_menu(legacy_menu(legacy, record["code"])) == "unchanged"


def test_brand_variant_before_its_base_is_refused(legacy):
    code = next(m["code"] for m in legacy["menus"] if m.get("brand"))
    with pytest.raises(MenuValidationError) as refused:
        import_menu(legacy_menu(legacy, code))
    assert [(e.record, e.field) for e in refused.value.errors] == [(code, "brand")]
    assert not Menu.objects.exists()


def test_menu_code_of_another_account_is_refused(legacy):
    import_menu(legacy_menu(legacy, "menu-wx-sx-01"))
    record = {**legacy_menu(legacy, "menu-wx-sx-02"), "code": "menu-wx-sx-01"}
    with pytest.raises(MenuValidationError) as refused:
        import_menu(record)
    assert [(e.record, e.field) for e in refused.value.errors] == [("menu-wx-sx-01", "code")]
