"""Menus: WeChat's limits in the emulator (raw HTTP) and in the client, brand variants
as personalised menus, deletion."""

import json

import httpx
import pytest

from wechat.errors import LimitViolation, PermanentError

pytestmark = pytest.mark.integration


def _click(name="查话费", key="BALANCE"):
    return {"type": "click", "name": name, "key": key}


def _view(name="营业厅", url="https://m.example.cn/hall"):
    return {"type": "view", "name": name, "url": url}


def _post(emulator, client, endpoint, body=None, raw=None):
    url = f"{emulator.base_url}/cgi-bin/{endpoint}"
    params = {"access_token": client.access_token()}
    if raw is not None:
        return httpx.post(url, params=params, content=raw).json()
    return httpx.post(url, params=params, content=json.dumps(body, ensure_ascii=False).encode()).json()


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": [_click()] * 4}, 40016),
        ({"button": []}, 40016),
        ({"button": [{"name": "业务", "sub_button": [_click()] * 6}]}, 40023),
        ({"button": [_click(name="话" * 6)]}, 40018),  # 18 bytes > 16
        ({"button": [{"name": "业务", "sub_button": [_click(name="查" * 21)]}]}, 40025),  # 63 bytes > 60
        ({"button": [_view(url="https://m.example.cn/" + "a" * 1004)]}, 40020),  # 1025 bytes
        ({"button": [{"name": "业务", "sub_button": [_view(url="https://x.cn/" + "a" * 1020)]}]}, 40027),
        ({"button": [_click(key="k" * 129)]}, 40019),
        ({"button": [{"type": "nonsense", "name": "坏"}]}, 40017),
        ({"button": [{"name": "业务", "sub_button": [{"type": "nonsense", "name": "坏"}]}]}, 40024),
    ],
)
def test_emulator_refuses_menus_over_wechat_limits(wechat_client, wechat_emulator, menu, errcode):
    # when
    answer = _post(wechat_emulator, wechat_client, "menu/create", menu)
    # then
    assert answer["errcode"] == errcode


def test_emulator_accepts_a_menu_at_every_limit(wechat_client, wechat_emulator, app_id):
    # given: 3 buttons, 5 sub-buttons, names of 16 and 60 bytes, a url of 1024 bytes
    subs = [_click(name="查" * 20, key=f"K{i}") for i in range(4)] + [_view(url="https://m.example.cn/" + "a" * 1003)]
    menu = {"button": [_click(name="话费流量查" + "a"), {"name": "业务办理", "sub_button": subs}, _view()]}
    # when
    answer = _post(wechat_emulator, wechat_client, "menu/create", menu)
    # then
    assert answer["errcode"] == 0
    assert wechat_emulator.state.menus[app_id]["menu"]["button"] == menu["button"]


def test_emulator_refuses_unicode_escapes_in_menus(wechat_client, wechat_emulator):
    # when: json.dumps with its default ensure_ascii=True
    answer = _post(wechat_emulator, wechat_client, "menu/create", raw=json.dumps({"button": [_click()]}).encode())
    # then
    assert answer["errcode"] == 40033


def test_client_refuses_an_over_long_sub_button_naming_it(wechat_client, wechat_emulator, app_id):
    # given
    menu = {"button": [_click(), {"name": "业务", "sub_button": [_click(), _click(name="查" * 21)]}]}
    # when
    with pytest.raises(LimitViolation) as caught:
        wechat_client.create_menu(menu)
    # then
    assert caught.value.field == "button[1].sub_button[1].name"
    assert wechat_emulator.state.calls[app_id]["menu/create"] == 0


def test_brand_variant_menus_are_created_and_deleted(wechat_client, wechat_emulator, app_id):
    # given
    wechat_client.create_menu({"button": [_click(), _view()]})
    # when: one personalised menu per brand (users tagged by brand)
    gotone = wechat_client.add_conditional_menu({"button": [_view(name="全球通专区")], "matchrule": {"tag_id": "101"}})
    mzone = wechat_client.add_conditional_menu({"button": [_view(name="动感地带")], "matchrule": {"tag_id": "102"}})
    wechat_client.delete_conditional_menu(mzone)
    # then
    menus = wechat_client.live_menus()
    assert [m["menuid"] for m in menus["conditionalmenu"]] == [gotone]
    assert menus["menu"]["button"][0]["key"] == "BALANCE"
    # and deleting the menu deletes the personalised ones too
    wechat_client.delete_menu()
    with pytest.raises(PermanentError) as caught:
        wechat_client.get_menu()
    assert caught.value.errcode == 46003


def test_personalised_menu_needs_a_default_menu_and_a_rule(wechat_client, wechat_emulator):
    # when
    no_default = _post(wechat_emulator, wechat_client, "menu/addconditional",
                       {"button": [_click()], "matchrule": {"tag_id": "101"}})
    # then
    assert no_default["errcode"] == 65303
    # and an empty rule is refused by the client before calling
    with pytest.raises(LimitViolation) as caught:
        wechat_client.add_conditional_menu({"button": [_click()], "matchrule": {}})
    assert caught.value.errcode == 65304
    # and by the emulator
    wechat_client.create_menu({"button": [_click()]})
    empty = _post(wechat_emulator, wechat_client, "menu/addconditional", {"button": [_click()], "matchrule": {}})
    assert empty["errcode"] == 65304


def test_deleting_a_personalised_menu_already_gone_counts_as_deleted(wechat_client, wechat_emulator):
    # WeChat answers 65301 for an unknown menuid ...
    assert _post(wechat_emulator, wechat_client, "menu/delconditional", {"menuid": "999"})["errcode"] == 65301
    # ... which the client takes as done: a retry after a lost answer finds it gone
    wechat_client.delete_conditional_menu("999")


def test_lost_answer_does_not_create_a_second_personalised_menu(wechat_client, wechat_emulator, app_id):
    # given
    wechat_client.create_menu({"button": [_click()]})
    wechat_emulator.state.script(endpoint="menu/addconditional", lose_response=True)
    # when
    menuid = wechat_client.add_conditional_menu({"button": [_view()], "matchrule": {"tag_id": "103"}})
    # then
    conditional = wechat_emulator.state.menus[app_id]["conditional"]
    assert [m["menuid"] for m in conditional] == [menuid]
