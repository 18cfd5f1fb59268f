"""A WeChat menu that leaves live leaves WeChat too: the accounts it served are
brought to what serves them now (the base menu under an unpublished brand variant)
or have their menu deleted; a menu left behind is found by the drift check and
repaired."""

import pytest

from content import roles
from content.models import Brand
from menus import rollout
from menus import services as menus
from publishing.drift.accounts import check_account, repair_account
from publishing.models import PublishBatch, State
from tests.publishing.test_menus import wechat_nodes
from tests.support.menus import make_menu, node
from tests.support.rollout import name_accounts, province_menu
from tests.support.users import make_editor

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def held(emulator, account):
    return emulator.state.snapshot()["menus"][account.app_id]


def takedowns():
    return PublishBatch.objects.filter(kind=PublishBatch.Kind.MENU, action=PublishBatch.Action.UNPUBLISH)


def test_an_unpublished_menu_is_deleted_from_its_account(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    account, other = official_accounts[:2]
    base = make_menu(account, wechat_nodes(), code="menu-base")
    keep = make_menu(other, wechat_nodes(), code="menu-other")
    with django_capture_on_commit_callbacks(execute=True):
        menus.publish(base)
        menus.publish(keep)
    assert held(wechat_emulator, account)["menu"] is not None
    # when the menu is unpublished
    with django_capture_on_commit_callbacks(execute=True):
        base.unpublish()
    # then its account has no menu any more, in one takedown batch; the other account keeps its own
    batch = takedowns().get()
    assert [(p.account_id, p.state) for p in batch.publications.all()] == [(account.pk, State.DONE)]
    assert held(wechat_emulator, account) == {"menu": None, "conditional": []}
    assert held(wechat_emulator, other)["menu"] is not None
    assert wechat_emulator.state.calls[other.app_id]["menu/delete"] == 0
    # and the drift check finds nothing to repair
    assert not [f for f in check_account(account).findings if f.area == "menu"]


def test_an_unpublished_brand_variant_leaves_the_base_menu(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    base = make_menu(account, wechat_nodes(), code="menu-base")
    variant = make_menu(account, [node("2", "专属客服", "click", event_key="MZONE")], code="menu-mzone",
                        brand=Brand.objects.get(code="mzone"))
    with django_capture_on_commit_callbacks(execute=True):
        menus.publish(base)
        menus.publish(variant)
    assert len(held(wechat_emulator, account)["conditional"]) == 1
    # when the brand variant is unpublished
    with django_capture_on_commit_callbacks(execute=True):
        variant.unpublish()
    # then the base menu is pushed again: the default menu stays, the brand's menu is gone
    assert not takedowns().exists()
    last = PublishBatch.objects.filter(kind=PublishBatch.Kind.MENU).latest("pk")
    assert last.publications.get().state == State.DONE
    assert [b["name"] for b in held(wechat_emulator, account)["menu"]["button"]] == ["查询", "客服"]
    assert held(wechat_emulator, account)["conditional"] == []
    assert wechat_emulator.state.calls[account.app_id]["menu/delete"] == 0


def test_unpublishing_a_rolled_out_menu_deletes_it_from_every_account_in_one_batch(
    matrix, matrix_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    from tests.support.publishing import make_official_accounts

    province = name_accounts([matrix_accounts["wx-sx"]])[0]
    halls = make_official_accounts(matrix["branch1"], 3, wechat_emulator.base_url, prefix="wx-hall")
    for n, hall in enumerate(halls):
        hall.name = f"营业厅{n:02d}"  # a top-level button holds 16 bytes
        hall.save(update_fields=["name"])
    halls = name_accounts(halls)
    menu = province_menu(province)
    rollout.choose(menu, halls, make_editor("publisher-sx", matrix["province"], roles.PUBLISHERS))
    with django_capture_on_commit_callbacks(execute=True):
        menus.publish(menu)
    assert all(held(wechat_emulator, hall)["menu"] is not None for hall in halls)
    with django_capture_on_commit_callbacks(execute=True):
        menu.unpublish()
    batch = takedowns().get()
    assert sorted(batch.publications.values_list("account__code", flat=True)) == sorted(
        [province.code, *(hall.code for hall in halls)])
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}
    assert all(held(wechat_emulator, a) == {"menu": None, "conditional": []} for a in [province, *halls])


def test_a_menu_left_on_wechat_after_its_unpublish_is_found_and_deleted_by_repair(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    base = make_menu(account, wechat_nodes(), code="menu-base")
    with django_capture_on_commit_callbacks(execute=True):
        menus.publish(base)
    # given the menu was unpublished but its takedown job was lost (no worker ran it)
    with django_capture_on_commit_callbacks(execute=False):
        base.unpublish()
    assert held(wechat_emulator, account)["menu"] is not None
    # then the drift check says the unpublished menu is still on the account
    findings = [f for f in check_account(account).findings if f.area == "menu"]
    assert [f.what for f in findings] == ["已下线的菜单仍在公众号上"]
    # when repaired, the account's menu is deleted and the next check is clean
    with django_capture_on_commit_callbacks(execute=True):
        assert repair_account(account, findings) == ["删除已下线的菜单 menu-base"]
    assert held(wechat_emulator, account) == {"menu": None, "conditional": []}
    assert not [f for f in check_account(account).findings if f.area == "menu"]
    # and a menu the account's staff add afterwards is theirs: reported, never deleted
    wechat_emulator.state.menus[account.app_id] = {"menu": {"button": [{"type": "click", "name": "自建", "key": "X"}],
                                                            "menuid": 9}, "conditional": []}
    findings = [f for f in check_account(account).findings if f.area == "menu"]
    assert [(f.kind, f.drifts) for f in findings] == [("foreign", False)]


def test_a_changed_menu_variable_reaches_the_accounts_menu_and_the_change_feed(
    matrix, matrix_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    from menus.models import AccountVariable
    from publishing.changes.models import Change

    province = name_accounts([matrix_accounts["wx-sx"]])[0]
    menu = province_menu(province)
    with django_capture_on_commit_callbacks(execute=True):
        menus.publish(menu)
    assert held(wechat_emulator, province)["menu"]["button"][0]["url"] == "https://sx.example-operator.cn/home"
    since = Change.objects.order_by("-version").values_list("version", flat=True).first()
    # when the account's hall URL changes in the admin (菜单变量)
    variable = AccountVariable.objects.get(account=province, name="hall_url")
    variable.value = "https://new.example-operator.cn"
    with django_capture_on_commit_callbacks(execute=True):
        variable.save()
    # then followers get the new link, and front ends see the menu changed
    assert held(wechat_emulator, province)["menu"]["button"][0]["url"] == "https://new.example-operator.cn/home"
    assert list(Change.objects.filter(version__gt=since).values_list("account_id", "kind", "action")) == [
        (province.pk, "menu", "upsert")]
