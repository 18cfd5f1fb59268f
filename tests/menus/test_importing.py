"""Importing legacy menu records: created / updated / unchanged, refusal of bad
trees naming node key and field, nothing written on refusal, brand variants."""

import pytest

from content.models import ChannelAccount
from importing.menu_records import import_menu
from menus.models import Menu, MenuNode, MenuVersion
from menus.services import diff_versions, live_version, published_tree
from menus.validation import MenuValidationError
from tests.support.menus import legacy_menu

pytestmark = pytest.mark.django_db


def test_sample_export_menus_import_then_reimport_unchanged(legacy):
    # when
    first = [import_menu(record) for record in legacy["menus"]]
    again = [import_menu(record) for record in legacy["menus"]]
    # then
    assert first == ["created"] * len(legacy["menus"])
    assert again == ["unchanged"] * len(legacy["menus"])
    assert MenuVersion.objects.count() == len(legacy["menus"])
    sms = Menu.objects.get(code="sms-main")
    assert sms.nodes.count() == 120 and live_version(sms).node_count == 120


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
    record = legacy_menu(legacy, "web-main")
    import_menu(record)
    record["name"] = "网上营业厅主导航"
    assert import_menu(record) == "updated"
    assert Menu.objects.get(code="web-main").versions.count() == 1


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
    record = legacy_menu(legacy, "web-main")
    with pytest.raises(MenuValidationError) as refused:
        import_menu({**record, "account": "nope", "brand": "nobrand"})
    assert {(e.record, e.field) for e in refused.value.errors} == {("web-main", "account"), ("web-main", "brand")}


def test_unknown_reply_template_is_named_on_the_node(legacy):
    record = legacy_menu(legacy, "sms-main")
    record["nodes"][7]["children"][0]["children"][0]["reply_template"] = "SMS999999"
    with pytest.raises(MenuValidationError) as refused:
        import_menu(record)
    assert [(e.record, e.field) for e in refused.value.errors] == [("8.1.1", "reply_template")]


def test_brand_variant_is_stored_as_overrides_of_the_base(legacy):
    # given
    import_menu(legacy_menu(legacy, "menu-wx-sx"))
    # when
    status = import_menu(legacy_menu(legacy, "menu-wx-sx-gotone"))
    # then: only the renamed button and its parent placeholder are stored
    variant = Menu.objects.get(code="menu-wx-sx-gotone")
    assert status == "created"
    assert sorted((n.key, n.inherit) for n in variant.nodes.all()) == [("1", False), ("2", True)]
    account = ChannelAccount.objects.get(code="wx-sx")
    assert published_tree(account, "gotone")[1]["children"][0]["name"] == "全球通尊享"
    assert published_tree(account, "mzone")[1]["children"][0]["name"] != "全球通尊享"
    assert import_menu(legacy_menu(legacy, "menu-wx-sx-gotone")) == "unchanged"


def test_brand_variant_before_its_base_is_refused(legacy):
    with pytest.raises(MenuValidationError) as refused:
        import_menu(legacy_menu(legacy, "menu-wx-sx-gotone"))
    assert [(e.record, e.field) for e in refused.value.errors] == [("menu-wx-sx-gotone", "brand")]
    assert not Menu.objects.exists()


def test_menu_code_of_another_account_is_refused(legacy):
    import_menu(legacy_menu(legacy, "menu-wx-sx-01"))
    record = {**legacy_menu(legacy, "menu-wx-sx-02"), "code": "menu-wx-sx-01"}
    with pytest.raises(MenuValidationError) as refused:
        import_menu(record)
    assert [(e.record, e.field) for e in refused.value.errors] == [("menu-wx-sx-01", "code")]
