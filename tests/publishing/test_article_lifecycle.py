"""What editors approved is what every official account carries: targets with the
matrix's own accounts enabled, an edited article replacing its WeChat article, and
takedown on unpublish, expiry and delete, through the emulator over HTTP."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from content.models import Article, ChannelAccount
from content.reach import target_accounts
from content.services.library import make_local_copy, share_down
from publishing.models import Publication, PublishBatch, State
from publishing.services import ledger
from tests.support.content import committed, publish, unpublish
from tests.support.publishing import make_article, push

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
WECHAT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


def published_on(emulator, account):
    with emulator.state.lock:
        return {k: [n["title"] for n in p["news_item"]] for k, p in emulator.state.published.items()
                if p["appid"] == account.app_id}


def wechat_pubs(batch):
    return list(batch.publications.filter(channel=Publication.Channel.WECHAT).order_by("account__code"))


def test_a_branch_article_is_never_published_on_the_provinces_account(matrix, matrix_accounts, wechat_emulator):
    # given a branch's article for official accounts, with every matrix account enabled
    article = make_article(matrix["branch1"], code="ART-B1")
    # when it is pushed
    batch = push(article)
    # then only the branch's own account got it
    assert [p.account.code for p in wechat_pubs(batch)] == ["wx-sx-01"]
    assert wechat_pubs(batch)[0].state == State.DONE
    assert list(published_on(wechat_emulator, matrix_accounts["wx-sx-01"]).values()) == [["五一流量包上线"]]
    assert published_on(wechat_emulator, matrix_accounts["wx-sx"]) == {}
    assert published_on(wechat_emulator, matrix_accounts["wx-sx-02"]) == {}


def test_a_province_article_shared_down_reaches_the_province_and_the_branches_it_is_shared_to(
    matrix, matrix_accounts, wechat_emulator
):
    article = make_article(matrix["province"], code="ART-P")
    share_down(article, [matrix["branch2"]])
    assert [a.code for a in target_accounts(article)] == ["wx-sx", "wx-sx-02"]
    batch = push(article)
    assert {p.account.code: p.state for p in wechat_pubs(batch)} == {"wx-sx": State.DONE, "wx-sx-02": State.DONE}
    assert published_on(wechat_emulator, matrix_accounts["wx-sx-01"]) == {}


def test_an_edited_article_approved_again_replaces_its_wechat_article(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    # given the article is live on the branch's account
    article = make_article(matrix["branch1"], code="ART-EDIT")
    first = wechat_pubs(push(article))[0]
    old_id = first.article_id
    assert ledger.live_article_id("ART-EDIT", account) == old_id
    # when an editor changes it and publishes again
    article.title = "五一流量包升级"
    publish(article)
    # then the new version is live, the old one deleted from WeChat, and the ledger keeps both
    assert list(published_on(wechat_emulator, account).values()) == [["五一流量包升级"]]
    new_id = ledger.live_article_id("ART-EDIT", account)
    assert new_id and new_id != old_id and new_id in published_on(wechat_emulator, account)
    assert ledger.platform_articles(account) == {"live": {new_id}, "withdrawn": {old_id}}
    takedown = PublishBatch.objects.get(action=PublishBatch.Action.UNPUBLISH)
    assert [(p.account.code, p.state, p.remote["deleted"]) for p in wechat_pubs(takedown)] == [
        ("wx-sx-01", State.DONE, [old_id])
    ]
    assert [d["article_id"] for d in wechat_emulator.state.snapshot()["deleted_articles"]] == [old_id]


def test_an_account_that_keeps_replaced_articles_keeps_the_old_one(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    ChannelAccount.objects.filter(pk=account.pk).update(keep_replaced_articles=True)
    article = make_article(matrix["branch1"], code="ART-KEEP")
    old_id = wechat_pubs(push(article))[0].article_id
    article.title = "五一流量包升级"
    publish(article)
    new_id = ledger.live_article_id("ART-KEEP", account)
    assert new_id != old_id
    assert set(published_on(wechat_emulator, account)) == {old_id, new_id}
    assert ledger.platform_articles(account)["live"] == {old_id, new_id}


def test_unpublishing_takes_the_article_down_on_every_account_it_is_live_on(matrix, matrix_accounts, wechat_emulator):
    article = make_article(matrix["province"], code="ART-DOWN")
    share_down(article, [matrix["branch1"], matrix["branch2"]])
    push(article)
    assert [a.code for a in ledger.live_accounts(article)] == ["wx-sx", "wx-sx-01", "wx-sx-02"]
    # when an editor unpublishes it
    unpublish(article)
    # then it is deleted from all three accounts and the ledger says so
    for account in matrix_accounts.values():
        assert published_on(wechat_emulator, account) == {}, account.code
    assert list(ledger.live_accounts(article)) == []
    batch = PublishBatch.objects.get(action=PublishBatch.Action.UNPUBLISH)
    assert {p.state for p in wechat_pubs(batch)} == {State.DONE}


def test_an_expired_article_is_taken_down_on_time(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    article = make_article(matrix["branch1"], code="ART-EXP")
    push(article)
    assert published_on(wechat_emulator, account)
    # given it expires a minute ago
    Article.objects.filter(pk=article.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    # when the scheduled run (content.publish_scheduled) comes by
    with committed():
        call_command("publish_scheduled")
    # then it is unpublished in the CMS and gone from WeChat
    assert not Article.objects.get(pk=article.pk).live
    assert published_on(wechat_emulator, account) == {}
    assert ledger.live_article_id("ART-EXP", account) == ""


def test_a_deleted_article_is_taken_down(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    article = make_article(matrix["branch1"], code="ART-DEL")
    push(article)
    with committed():
        article.delete()
    assert published_on(wechat_emulator, account) == {}
    assert ledger.platform_articles(account)["live"] == set()


def test_a_local_copy_replaces_the_shared_original_on_the_branchs_account(
    matrix, matrix_accounts, wechat_emulator, branch_editor
):
    branch_account = matrix_accounts["wx-sx-01"]
    # given a province article shared to branch 1 and live on its account
    original = make_article(matrix["province"], code="ART-ORIG")
    share_down(original, [matrix["branch1"]])
    push(original)
    original_id = ledger.live_article_id("ART-ORIG", branch_account)
    assert original_id in published_on(wechat_emulator, branch_account)
    # when the branch publishes its own local copy
    copy = make_local_copy(original, matrix["branch1"], branch_editor)
    copy.title = "西安五一流量包"
    publish(copy)
    # then the branch's account carries the copy only; the province keeps the original
    assert list(published_on(wechat_emulator, branch_account).values()) == [["西安五一流量包"]]
    assert ledger.live_article_id("ART-ORIG", branch_account) == ""
    assert ledger.live_article_id("ART-ORIG", matrix_accounts["wx-sx"])
    assert [a.code for a in target_accounts(original)] == ["wx-sx"]


def test_a_takedown_survives_lost_answers_and_deletes_nothing_that_should_stay(matrix, matrix_accounts,
                                                                               wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    article = make_article(matrix["branch1"], code="ART-LOST")
    old_id = wechat_pubs(push(article))[0].article_id
    keep = make_article(matrix["branch1"], code="ART-STAY", title="另一篇")
    stay_id = wechat_pubs(push(keep))[0].article_id
    # given the answer to the delete is lost once and WeChat is busy once
    wechat_emulator.state.script(endpoint="freepublish/delete", lose_response=True)
    wechat_emulator.state.script(endpoint="freepublish/delete", errcode=-1)
    unpublish(article)
    # then the article is gone, the other stays, and the job is done
    assert set(published_on(wechat_emulator, account)) == {stay_id}
    assert old_id in ledger.platform_articles(account)["withdrawn"]
    batch = PublishBatch.objects.get(action=PublishBatch.Action.UNPUBLISH)
    assert [p.state for p in wechat_pubs(batch)] == [State.DONE]


def test_a_permanent_error_on_one_account_does_not_stop_the_others_and_shows_wechats_code(
    matrix, matrix_accounts, wechat_emulator
):
    article = make_article(matrix["province"], code="ART-PERM")
    share_down(article, [matrix["branch1"], matrix["branch2"]])
    push(article)
    wechat_emulator.state.register(matrix_accounts["wx-sx-02"].app_id, unauthorized_apis=["freepublish/delete"])
    unpublish(article)
    batch = PublishBatch.objects.get(action=PublishBatch.Action.UNPUBLISH)
    states = {p.account.code: (p.state, p.last_error_code, p.last_error) for p in wechat_pubs(batch)}
    assert states["wx-sx"][0] == State.DONE and states["wx-sx-01"][0] == State.DONE
    assert states["wx-sx-02"][:2] == (State.FAILED, "48001") and "48001" in states["wx-sx-02"][2]
    assert published_on(wechat_emulator, matrix_accounts["wx-sx"]) == {}
    # the failed account's article is still live in the ledger: nothing is marked gone that is not
    assert [a.code for a in ledger.live_accounts(article)] == ["wx-sx-02"]


def test_the_preview_lists_the_exact_accounts_an_approval_reaches(client, superuser, matrix, matrix_accounts):
    from django.urls import reverse

    article = make_article(matrix["branch1"], code="ART-PRE")
    client.force_login(superuser)
    html = client.get(reverse("renditions:preview", args=["article", article.pk])).content.decode()
    reach_line = html.split("data-reach-accounts>")[1].split("</p>")[0]
    assert "(wx-sx-01)" in reach_line and "(wx-sx)" not in reach_line and "(wx-sx-02)" not in reach_line


def test_an_article_unpublished_while_its_publish_job_ran_does_not_stay_live(matrix, matrix_accounts,
                                                                             wechat_emulator, monkeypatch):
    from publishing.services import progress

    account = matrix_accounts["wx-sx-01"]
    article = make_article(matrix["branch1"], code="ART-RACE")
    complete = progress.complete

    def unpublished_meanwhile(*args, **kwargs):
        # An editor unpublished it after WeChat accepted the draft, before the job saw the result:
        # the unpublish's takedown found nothing in the ledger yet.
        Article.objects.filter(pk=article.pk).update(live=False)
        return complete(*args, **kwargs)

    monkeypatch.setattr(progress, "complete", unpublished_meanwhile)
    push(article)
    assert published_on(wechat_emulator, account) == {}
    assert ledger.live_article_id("ART-RACE", account) == ""


def test_a_takedown_whose_worker_died_after_the_delete_resumes_without_harm(matrix, matrix_accounts,
                                                                             wechat_emulator, monkeypatch):
    account = matrix_accounts["wx-sx-01"]
    article = make_article(matrix["branch1"], code="ART-CRASH")
    old_id = wechat_pubs(push(article))[0].article_id
    mark = ledger.mark_withdrawn
    crashes = []

    def dies_once(*args, **kwargs):
        # The worker dies after WeChat deleted the article, before the ledger heard of it.
        if not crashes:
            crashes.append(True)
            raise RuntimeError("worker killed")
        return mark(*args, **kwargs)

    monkeypatch.setattr(ledger, "mark_withdrawn", dies_once)
    unpublish(article)
    pub = wechat_pubs(PublishBatch.objects.get(action=PublishBatch.Action.UNPUBLISH))[0]
    assert pub.state == State.DONE and pub.attempts == 2
    assert published_on(wechat_emulator, account) == {}
    assert [d["article_id"] for d in wechat_emulator.state.snapshot()["deleted_articles"]] == [old_id]
    assert old_id in ledger.platform_articles(account)["withdrawn"]


def test_replacing_on_every_account_under_expired_tokens_and_busy_answers(matrix, matrix_accounts, wechat_emulator):
    article = make_article(matrix["province"], code="ART-FLAKY")
    share_down(article, [matrix["branch1"], matrix["branch2"]])
    first = {p.account.code: p.article_id for p in wechat_pubs(push(article))}
    wechat_emulator.state.configure(expire_token_rate=0.2, fault_rate=0.2, seed=3)
    article.title = "五一流量包升级"
    publish(article)
    wechat_emulator.state.configure(expire_token_rate=0.0, fault_rate=0.0)
    for code, account in matrix_accounts.items():
        live = published_on(wechat_emulator, account)
        assert list(live.values()) == [["五一流量包升级"]], code
        assert first[code] not in live and ledger.live_article_id("ART-FLAKY", account) in live
