"""A published menu to WeChat: the default menu replaced in one call, a conditional
menu per brand variant on a follower tag the platform keeps, added before the old
one is deleted; article and material buttons."""

import pytest

from content.models import Brand
from menus import services as menus
from menus.models import FollowerTag
from publishing.models import Publication, PublishBatch, State
from tests.support.api import Api, error_codes, make_api_client
from tests.support.menus import make_menu, node
from tests.support.menus import tree as tree_of

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
    with capture(execute=True):
        menus.publish(variant)
    # then the platform created the brand's follower tag and matched the conditional menu on it
    pub = menu_batches().last().publications.get()
    assert pub.state == State.DONE, pub.last_error
    tag = FollowerTag.objects.get(account=account, brand__code="mzone")
    assert wechat_emulator.state.snapshot()["tags"][account.app_id] == [
        {"id": tag.tag_id, "name": tag.name, "count": 0}]
    assert list(pub.remote["conditional"]) == [str(tag.tag_id)]
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    assert len(held["conditional"]) == 1
    conditional = held["conditional"][0]
    assert conditional["matchrule"]["tag_id"] == str(tag.tag_id)
    assert [b["name"] for b in conditional["button"]] == ["查询", "专属客服"]
    # and the operator's CRM reads the tag id over GraphQL, with a token bound to the account only
    crm = Api(make_api_client("CRM", account.organisation, [account])[1])
    query = "query($a: String!) { followerTags(account: $a) { tags { brand tagId name } } }"
    assert crm.data(query, {"a": account.code})["followerTags"]["tags"] == [
        {"brand": "mzone", "tagId": tag.tag_id, "name": tag.name}]
    other = Api(make_api_client("其它", account.organisation, [official_accounts[1]])[1])
    assert error_codes(other.post(query, {"a": account.code})[1]) == ["FORBIDDEN"]
    # when the base is published again, then the tag is reused, not created again
    with capture(execute=True):
        menus.publish(base)
    assert menu_batches().last().publications.get().state == State.DONE
    assert wechat_emulator.state.calls[account.app_id]["tags/create"] == 1
    assert len(wechat_emulator.state.snapshot()["menus"][account.app_id]["conditional"]) == 1


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
    for code in ("gotone", "mzone"):
        variant = make_menu(account, [node("2", f"{code}客服", "click", event_key=code)], code=f"menu-{code}",
                            brand=Brand.objects.get(code=code))
        with capture(execute=True):
            menus.publish(variant)
    # given the second conditional menu's calls come back busy more often than the client retries
    wechat_emulator.state.script(endpoint="menu/addconditional", appid=account.app_id, errcode=-1, times=4)
    # when the base is published again with a changed first button (every variant changes)
    changed = wechat_nodes()
    changed[0]["name"] = "查询办理"
    menus.replace_draft(base, tree_of(*changed))
    with capture(execute=True):
        menus.publish(base)
    # then the job resumed after its stored steps and WeChat holds each variant once, the new one
    pub = menu_batches().last().publications.get()
    assert pub.state == State.DONE and pub.attempts == 2, pub.last_error
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    tags = {t.brand.code: str(t.tag_id) for t in FollowerTag.objects.filter(account=account)}
    assert sorted(c["matchrule"]["tag_id"] for c in held["conditional"]) == sorted(tags.values())
    assert {c["button"][0]["name"] for c in held["conditional"]} == {"查询办理"}


def publish(menu, capture):
    with capture(execute=True):
        menus.publish(menu)
    return menu_batches().last().publications.get()


@pytest.mark.parametrize("refusal", [{"errcode": 40018}, {"errcode": -1, "times": 1000}])
def test_a_refused_menu_create_leaves_the_old_menu_live(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks, refusal
):
    account = official_accounts[0]
    base = make_menu(account, wechat_nodes(), code="menu-base")
    assert publish(base, django_capture_on_commit_callbacks).state == State.DONE
    before = wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]
    # given WeChat refuses the next menu/create (an invalid menu, or busy until the job gives up)
    wechat_emulator.state.script(endpoint="menu/create", appid=account.app_id, **refusal)
    changed = wechat_nodes()
    changed[1]["name"] = "人工客服"
    menus.replace_draft(base, tree_of(*changed))
    # when the changed menu is published
    pub = publish(base, django_capture_on_commit_callbacks)
    # then the publication failed and followers still see the old menu
    assert pub.state == State.FAILED
    assert wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"] == before
    assert wechat_emulator.state.calls[account.app_id]["menu/delete"] == 0


def test_a_brand_menu_is_replaced_add_then_delete_so_followers_always_have_one(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks, monkeypatch
):
    from wechat.emulator import handlers

    account = official_accounts[0]
    capture = django_capture_on_commit_callbacks
    base = make_menu(account, wechat_nodes(), code="menu-base")
    publish(base, capture)
    variant = make_menu(account, [node("2", "专属客服", "click", event_key="MZONE")], code="menu-mzone",
                        brand=Brand.objects.get(code="mzone"))
    assert publish(variant, capture).state == State.DONE
    old = wechat_emulator.state.snapshot()["menus"][account.app_id]["conditional"][0]
    # given every menu call is recorded with what the account holds right after it
    seen = []
    for endpoint in ("menu/create", "menu/addconditional", "menu/delconditional", "menu/delete"):
        method, handler = handlers.ROUTES[endpoint]

        def recording(state, appid, req, handler=handler, endpoint=endpoint):
            answer = handler(state, appid, req)
            held = state.menus[appid]
            seen.append((endpoint, held["menu"] is not None, [m["menuid"] for m in held["conditional"]]))
            return answer

        monkeypatch.setitem(handlers.ROUTES, endpoint, (method, recording))
    # when the variant changes and is published again
    menus.replace_draft(variant, tree_of(node("2", "动感客服", "click", event_key="MZONE2")))
    pub = publish(variant, capture)
    # then the new conditional menu was added before the old one was deleted, never menu/delete
    assert pub.state == State.DONE, pub.last_error
    assert [call for call, _, _ in seen] == ["menu/create", "menu/addconditional", "menu/delconditional"]
    assert all(has_default for _, has_default, _ in seen)
    assert all(conditional for _, _, conditional in seen)
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]["conditional"]
    assert len(held) == 1 and held[0]["menuid"] != old["menuid"]
    assert held[0]["button"][1]["name"] == "动感客服"
    assert pub.remote["deleted"] == [old["menuid"]]


def test_a_conditional_menu_added_outside_the_platform_is_left_alone(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks
):
    import httpx

    account = official_accounts[0]
    capture = django_capture_on_commit_callbacks
    base = make_menu(account, wechat_nodes(), code="menu-base")
    publish(base, capture)
    # given someone added a conditional menu in WeChat's own console
    foreign = {"button": [{"type": "click", "name": "活动", "key": "PROMO"}], "matchrule": {"sex": "1"}}
    httpx.post(f"{wechat_emulator.base_url}/_emulator/control/menus/{account.app_id}",
               json={"menu": {"button": [{"type": "click", "name": "旧", "key": "OLD"}]}, "conditional": [foreign]})
    # when the base is published again
    assert publish(base, capture).state == State.DONE
    # then the default menu is the platform's and the foreign conditional menu is still there
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    assert [b["name"] for b in held["menu"]["button"]] == ["查询", "客服"]
    assert [c["matchrule"] for c in held["conditional"]] == [{"sex": "1"}]


def test_a_menu_node_to_an_unpublished_article_publishes_it_first(
    official_accounts, article, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    menu = make_menu(account, [node("1", "活动", "article_id", article=article.code)], code="menu-article")
    # when the menu is published before the article ever reached the account
    pub = publish(menu, django_capture_on_commit_callbacks)
    # then the article was published to the account first and the button carries its article_id
    assert pub.state == State.DONE, pub.last_error
    article_pub = Publication.objects.get(account=account, channel="wechat", batch__kind="article")
    assert article_pub.state == State.DONE and article_pub.article_id
    button = wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]["button"][0]
    assert button == {"type": "article_id", "name": "活动", "article_id": article_pub.article_id}


def test_a_menu_node_whose_article_cannot_be_published_blocks_the_push_naming_both(
    official_accounts, article, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    # given WeChat refuses the article's draft on this account
    wechat_emulator.state.script(endpoint="draft/add", appid=account.app_id, errcode=40007)
    menu = make_menu(account, [node("1", "活动", "article_id", article=article.code)], code="menu-article")
    # when the menu is published
    pub = publish(menu, django_capture_on_commit_callbacks)
    # then the menu push failed, naming the node and the article, and no menu was sent
    assert pub.state == State.FAILED
    assert "菜单节点 1" in pub.last_error and article.code in pub.last_error, pub.last_error
    assert wechat_emulator.state.calls[account.app_id]["menu/create"] == 0


def test_a_media_id_node_is_sent_as_a_permanent_material_button(
    official_accounts, article, wechat_emulator, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    menu = make_menu(account, [node("1", "海报", "media_id", article=article.code)], code="menu-material")
    pub = publish(menu, django_capture_on_commit_callbacks)
    assert pub.state == State.DONE, pub.last_error
    button = wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]["button"][0]
    assert button["type"] == "media_id" and button["name"] == "海报"
    material = wechat_emulator.state.materials[button["media_id"]]
    assert material["appid"] == account.app_id and material["type"] == "image"


def test_a_menu_job_killed_after_adding_a_brand_menu_resumes_without_adding_it_twice(
    official_accounts, wechat_emulator, django_capture_on_commit_callbacks, monkeypatch
):
    from publishing.services import menus as menu_steps

    account = official_accounts[0]
    capture = django_capture_on_commit_callbacks
    base = make_menu(account, wechat_nodes(), code="menu-base")
    publish(base, capture)
    variant = make_menu(account, [node("2", "专属客服", "click", event_key="MZONE")], code="menu-mzone",
                        brand=Brand.objects.get(code="mzone"))
    publish(variant, capture)
    old = wechat_emulator.state.snapshot()["menus"][account.app_id]["conditional"][0]["menuid"]
    added_before = wechat_emulator.state.calls[account.app_id]["menu/addconditional"]
    # given the worker dies right after WeChat added the new brand menu, before its menuid was stored,
    # and the answer of the old menu's deletion is lost
    real_checkpoint, died = menu_steps.checkpoint, []

    def dying_checkpoint(pub, **fields):
        if fields.get("remote", {}).get("conditional") and not died:
            died.append(True)
            raise RuntimeError("worker killed")
        return real_checkpoint(pub, **fields)

    monkeypatch.setattr(menu_steps, "checkpoint", dying_checkpoint)
    wechat_emulator.state.script(endpoint="menu/delconditional", appid=account.app_id, lose_response=True)
    menus.replace_draft(variant, tree_of(node("2", "动感客服", "click", event_key="MZONE2")))
    # when the variant is published (the job is retried after the crash)
    pub = publish(variant, capture)
    # then the brand menu was added once, the old one deleted, and followers see the new one
    assert died and pub.state == State.DONE and pub.attempts == 2, pub.last_error
    assert wechat_emulator.state.calls[account.app_id]["menu/addconditional"] == added_before + 1
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]["conditional"]
    assert len(held) == 1 and held[0]["menuid"] != old and held[0]["button"][1]["name"] == "动感客服"
