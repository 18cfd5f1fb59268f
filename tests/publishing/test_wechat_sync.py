"""wechat_sync: an account's live state (emulator over HTTP) compared with the CMS,
drift reported and repaired through push jobs, foreign content reported only."""

import time

import httpx
import pytest
from django.core.management import call_command

from content.models import Brand
from menus import services as menus
from menus.models import MenuRollout
from publishing import services
from publishing.models import AccountDrift, Publication, State
from tests.support.menus import make_menu, node

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def sync(action, account, capsys):
    """(exit code, printed text) of ``wechat_sync ACTION --account CODE``."""
    try:
        call_command("wechat_sync", action, "--account", account.code)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out


@pytest.fixture
def converged(official_accounts, article, wechat_emulator, django_capture_on_commit_callbacks):
    """An account with a base menu, a brand menu and an article, all pushed."""
    account = official_accounts[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_item(article, accounts=[account])
    base = make_menu(account, [node("1", "查询", "click", event_key="Q"), node("2", "客服", "click", event_key="S")],
                     code="menu-base")
    variant = make_menu(account, [node("2", "专属客服", "click", event_key="MZ")], code="menu-mzone",
                        brand=Brand.objects.get(code="mzone"))
    for menu in (base, variant):
        with django_capture_on_commit_callbacks(execute=True):
            menus.publish(menu)
    assert set(Publication.objects.filter(account=account).values_list("state", flat=True)) == {State.DONE}
    return account


def test_check_exits_0_when_the_account_shows_what_the_cms_says(converged, capsys):
    code, out = sync("check", converged, capsys)
    assert code == 0, out
    assert f"{converged.code}:一致" in out
    drift = AccountDrift.objects.get(account=converged)
    assert drift.drifted is False and drift.findings == []


def test_menus_changed_behind_the_platforms_back_are_found_and_repaired(
    converged, wechat_emulator, capsys, django_capture_on_commit_callbacks
):
    account = converged
    # given someone replaced the menus in WeChat's console: another default menu, no brand menu
    httpx.post(f"{wechat_emulator.base_url}/_emulator/control/menus/{account.app_id}",
               json={"menu": {"button": [{"type": "click", "name": "改过", "key": "X"}]}}).raise_for_status()
    # when checked, then the drift is printed, stored, and the check exits 1
    code, out = sync("check", account, capsys)
    assert code == 1
    assert "不一致 默认菜单与平台发布的不同" in out and "缺少 品牌 mzone 的个性化菜单" in out
    assert AccountDrift.objects.get(account=account).drifted
    # when repaired
    with django_capture_on_commit_callbacks(execute=True):
        code, out = sync("repair", account, capsys)
    assert "修复:菜单 menu-base" in out
    # then the account shows the platform's menus again and the check exits 0
    held = wechat_emulator.state.snapshot()["menus"][account.app_id]
    assert [b["name"] for b in held["menu"]["button"]] == ["查询", "客服"]
    assert [b["name"] for b in held["conditional"][0]["button"]] == ["查询", "专属客服"]
    code, out = sync("check", account, capsys)
    assert code == 0, out


def test_a_deleted_article_is_found_missing_and_published_again(
    converged, article, wechat_emulator, capsys, django_capture_on_commit_callbacks
):
    account = converged
    article_id = Publication.objects.get(account=account, batch__kind="article").article_id
    with wechat_emulator.state.lock:
        del wechat_emulator.state.published[article_id]
    code, out = sync("check", account, capsys)
    assert code == 1 and f"缺少 图文 {article.code}(article_id {article_id})" in out
    with django_capture_on_commit_callbacks(execute=True):
        sync("repair", account, capsys)
    assert sync("check", account, capsys)[0] == 0


def test_content_the_platform_never_published_is_reported_not_deleted(
    converged, wechat_emulator, capsys, django_capture_on_commit_callbacks
):
    account = converged
    # given another tool published an article and added a conditional menu on the account
    with wechat_emulator.state.lock:
        wechat_emulator.state.published["foreign-article"] = {
            "appid": account.app_id, "publish_id": "1", "update_time": int(time.time()),
            "news_item": [{"title": "别处发布", "content": ""}]}
        wechat_emulator.state.menus[account.app_id]["conditional"].append(
            {"button": [{"type": "click", "name": "活动", "key": "P"}], "matchrule": {"sex": "1"},
             "menuid": "999"})
    # when checked and repaired
    code, out = sync("check", account, capsys)
    with django_capture_on_commit_callbacks(execute=True):
        sync("repair", account, capsys)
    # then both are reported as not published here, do not count as drift, and are still there
    assert code == 0, out
    assert "非本平台发布 图文 article_id foreign-article" in out
    assert "非本平台发布 个性化菜单(menuid 999)" in out
    assert "foreign-article" in wechat_emulator.state.published
    assert "999" in [m["menuid"] for m in wechat_emulator.state.menus[account.app_id]["conditional"]]


def test_the_periodic_check_stores_each_accounts_drift(converged, official_accounts, wechat_emulator, settings):
    from publishing.tasks import check_wechat_accounts

    assert settings.CELERY_BEAT_SCHEDULE["wechat-sync-check"]["task"] == check_wechat_accounts.name
    # given one account's default menu was deleted behind the platform's back
    httpx.post(f"{wechat_emulator.base_url}/_emulator/control/menus/{converged.app_id}", json={"menu": None})
    # when beat runs the check
    drifting = check_wechat_accounts.delay().get()
    # then every official account has a stored check, the changed one drifting
    stored = {d.account.code: d for d in AccountDrift.objects.select_related("account")}
    assert {a.code for a in official_accounts} <= set(stored)
    assert stored[converged.code].drifted and drifting >= 1
    assert {"area": "menu", "kind": "missing", "what": "默认菜单", "code": "", "ref": ""} in stored[converged.code].findings
    assert stored[converged.code].checked_at is not None


def test_a_menu_rolled_out_from_another_account_is_checked_and_repaired(
    official_accounts, wechat_emulator, capsys, django_capture_on_commit_callbacks
):
    source, target = official_accounts[0], official_accounts[1]
    base = make_menu(source, [node("1", "省级菜单", "click", event_key="P")], code="menu-province")
    with django_capture_on_commit_callbacks(execute=True):
        version = menus.publish(base)
    # given the province menu was rolled out to another account (menus.rollout), then changed there by hand
    MenuRollout.objects.create(menu=base, account=target)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_menu_version(version, accounts=[target])
    assert sync("check", target, capsys)[0] == 0
    httpx.post(f"{wechat_emulator.base_url}/_emulator/control/menus/{target.app_id}",
               json={"menu": {"button": [{"type": "click", "name": "手改", "key": "H"}]}}).raise_for_status()
    # when checked and repaired, then the rolled-out menu is back
    assert sync("check", target, capsys)[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        sync("repair", target, capsys)
    assert wechat_emulator.state.snapshot()["menus"][target.app_id]["menu"]["button"][0]["name"] == "省级菜单"
    assert sync("check", target, capsys)[0] == 0


def test_an_article_left_on_wechat_after_its_takedown_failed_is_found_extra_and_deleted(
    converged, article, wechat_emulator, capsys, django_capture_on_commit_callbacks
):
    account = converged
    article_id = Publication.objects.get(account=account, batch__kind="article").article_id
    # given the article was taken offline in the CMS but its takedown never reached WeChat
    type(article).objects.filter(pk=article.pk).update(live=False)
    # when checked, then WeChat's copy is extra (the platform's own, no longer wanted)
    code, out = sync("check", account, capsys)
    assert code == 1 and f"多余 图文 {article.code} 的旧版本或已下线版本(article_id {article_id})" in out
    # when repaired, then a takedown deletes it on WeChat, the ledger says so, and the account converges
    with django_capture_on_commit_callbacks(execute=True):
        code, out = sync("repair", account, capsys)
    assert f"删除多余图文 {article_id}" in out
    from publishing.services import ledger

    assert article_id in ledger.platform_articles(account)["withdrawn"]
    assert sync("check", account, capsys)[0] == 0
