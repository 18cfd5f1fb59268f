"""A published menu to WeChat: the default menu and a conditional menu per brand variant."""

import pytest

from content.models import Brand
from menus import services as menus
from publishing.models import Publication, PublishBatch, State
from tests.support.menus import make_menu, node

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def wechat_nodes():
    return [
        node("1", "查询", children=[
            node("1.1", "话费", "view", url="https://www.example-operator.cn/fee"),
            node("1.2", "流量", "click", event_key="FLOW"),
        ]),
        node("2", "客服", "click", event_key="SERVICE"),
    ]


def menu_batches():
    return PublishBatch.objects.filter(kind=PublishBatch.Kind.MENU).order_by("pk")


def test_publishing_a_base_menu_then_a_brand_variant_pushes_default_and_conditional_menus(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    capture = django_capture_on_commit_callbacks
    base = make_menu(account, wechat_nodes(), code="menu-base")
    # when the base menu is published
    with capture(execute=True):
        menus.publish(base)
    # then the account's WeChat menu is the base tree
    pub = menu_batches().last().publications.get()
    assert pub.channel == Publication.Channel.WECHAT and pub.state == State.DONE, pub.last_error
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    assert [b["name"] for b in held["menu"]["button"]] == ["查询", "客服"]
    assert held["menu"]["button"][0]["sub_button"][1] == {"type": "click", "name": "流量", "key": "FLOW"}
    assert held["conditional"] == []
    # when a brand variant with its own service button is published
    variant = make_menu(account, [node("2", "专属客服", "click", event_key="MZONE")], code="menu-mzone",
                        brand=Brand.objects.get(code="mzone"))
    variant.match_tag_id = "101"
    variant.save()
    with capture(execute=True):
        menus.publish(variant)
    # then the default menu is re-created and the variant added as a conditional menu, once
    pub = menu_batches().last().publications.get()
    assert pub.state == State.DONE, pub.last_error
    assert list(pub.remote["conditional"]) == ["101"]
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    assert len(held["conditional"]) == 1
    conditional = held["conditional"][0]
    assert conditional["matchrule"]["tag_id"] == "101"
    assert [b["name"] for b in conditional["button"]] == ["查询", "专属客服"]


def test_a_menu_button_to_a_published_article_carries_the_accounts_article_id(
    official_accounts, article, wechat_emulator, django_capture_on_commit_callbacks
):
    from publishing import services

    account = official_accounts[0]
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        services.publish_item(article, accounts=[account])
    article_id = Publication.objects.get(account=account, channel="wechat").article_id
    menu = make_menu(account, [node("1", "活动", "article_id", article=article.code)], code="menu-article")
    with capture(execute=True):
        menus.publish(menu)
    pub = menu_batches().last().publications.get()
    assert pub.state == State.DONE, pub.last_error
    button = wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]["button"][0]
    assert button == {"type": "article_id", "name": "活动", "article_id": article_id}


def test_a_menu_retried_after_a_busy_answer_adds_each_conditional_menu_once(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    capture = django_capture_on_commit_callbacks
    base = make_menu(account, wechat_nodes(), code="menu-base")
    with capture(execute=True):
        menus.publish(base)
    for code, tag in (("gotone", "100"), ("mzone", "101")):
        variant = make_menu(account, [node("2", f"{code}客服", "click", event_key=code)], code=f"menu-{code}",
                            brand=Brand.objects.get(code=code))
        variant.match_tag_id = tag
        variant.save()
        with capture(execute=True):
            menus.publish(variant)
    # given the second conditional menu's calls come back busy more often than the client retries
    wechat_emulator.state.script(endpoint="menu/addconditional", appid=account.app_id, errcode=-1, times=4)
    # when the base is published again
    with capture(execute=True):
        menus.publish(base)
    # then the job resumed after its stored steps and WeChat holds each variant once
    pub = menu_batches().last().publications.get()
    assert pub.state == State.DONE and pub.attempts == 2
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    assert sorted(c["matchrule"]["tag_id"] for c in held["conditional"]) == ["100", "101"]
