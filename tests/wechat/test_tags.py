"""Follower tags in the emulator (raw HTTP, WeChat's codes) and the client's
ensure_tag, which never creates a tag twice; material counts."""

import httpx
import pytest

from wechat.errors import LimitViolation

pytestmark = pytest.mark.integration


def _call(emulator, client, endpoint, body=None):
    url = f"{emulator.base_url}/cgi-bin/{endpoint}"
    params = {"access_token": client.access_token()}
    if body is None:
        return httpx.get(url, params=params).json()
    return httpx.post(url, params=params, json=body).json()


def test_emulator_creates_tags_with_wechats_limits(wechat_client, wechat_emulator):
    created = _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": "动感地带"}})
    assert created["tag"]["name"] == "动感地带" and created["tag"]["id"] >= 100
    assert _call(wechat_emulator, wechat_client, "tags/get")["tags"] == [
        {"id": created["tag"]["id"], "name": "动感地带", "count": 0}]
    # a duplicate name, a name over 30 bytes, an empty name
    assert _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": "动感地带"}})["errcode"] == 45157
    assert _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": "标" * 11}})["errcode"] == 45158
    assert _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": ""}})["errcode"] == 45157


def test_emulator_caps_an_account_at_100_tags(wechat_client, wechat_emulator):
    for i in range(99):
        assert "tag" in _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": f"t{i}"}})
    assert "tag" in _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": "last"}})
    assert _call(wechat_emulator, wechat_client, "tags/create", {"tag": {"name": "over"}})["errcode"] == 45056


def test_ensure_tag_creates_once_and_finds_it_after_a_lost_answer(wechat_client, wechat_emulator, app_id):
    # given the answer to tags/create is lost (the tag is created at WeChat)
    wechat_emulator.state.script(endpoint="tags/create", lose_response=True)
    # when the tag is ensured, then ensured again
    first = wechat_client.ensure_tag("全球通")
    second = wechat_client.ensure_tag("全球通")
    # then there is one tag, and both answers are its id
    tags = wechat_emulator.state.snapshot()["tags"][app_id]
    assert [t["name"] for t in tags] == ["全球通"] and first == second == tags[0]["id"]


def test_client_refuses_an_over_long_tag_name_before_calling(wechat_client, wechat_emulator, app_id):
    with pytest.raises(LimitViolation) as caught:
        wechat_client.ensure_tag("标" * 11)
    assert caught.value.field == "tag.name"
    assert wechat_emulator.state.calls[app_id]["tags/create"] == 0


def test_menu_get_lists_conditional_menus_and_material_counts_by_type(wechat_client, wechat_emulator):
    wechat_client.create_menu({"button": [{"type": "click", "name": "查", "key": "Q"}]})
    menuid = wechat_client.add_conditional_menu(
        {"button": [{"type": "click", "name": "专属", "key": "Z"}], "matchrule": {"tag_id": "100"}})
    # WeChat's documented answer: every button with a sub_button list, integer menuids ...
    raw = wechat_client.get_menu()
    assert raw["menu"]["button"] == [{"type": "click", "name": "查", "key": "Q", "sub_button": []}]
    assert raw["conditionalmenu"][0]["menuid"] == int(menuid)
    # ... which the client gives back in the shape menus are sent
    live = wechat_client.live_menus()
    assert live["menu"]["button"] == [{"type": "click", "name": "查", "key": "Q"}]
    assert [(m["menuid"], m["matchrule"]) for m in live["conditionalmenu"]] == [(menuid, {"tag_id": "100"})]
    assert wechat_client.material_counts() == {"image": 0, "voice": 0, "video": 0, "news": 0}
