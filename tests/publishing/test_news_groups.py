"""News groups (图文组合): up to eight live library articles sent as one WeChat
message, replaced when approved again, taken down on unpublish and delete, and a
deleted article removed from its position only (freepublish/delete with ``index``),
through the emulator over HTTP."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from content.models import ChannelAccount, NewsGroup, NewsGroupEntry
from content.services.groups import group_checks, validate_group
from content.services.library import share_down
from publishing.models import Publication, PublishBatch, State
from publishing.services import ledger
from tests.support.content import committed, publish, unpublish
from tests.support.publishing import make_article, push

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
WECHAT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


def make_group(organisation, articles, code="GRP-1", title="五一专题"):
    """A live group of ``articles`` in this order (published without pushing: tests push)."""
    group = NewsGroup.objects.create(code=code, title=title, organisation=organisation)
    for article in articles:
        NewsGroupEntry.objects.create(group=group, article=article)
    group.save_revision().publish()
    group.refresh_from_db()
    return group


def branch_articles(matrix, count, prefix="ART"):
    return [make_article(matrix["branch1"], code=f"{prefix}-{n}", title=f"第{n}篇 流量包") for n in range(1, count + 1)]


def published_on(emulator, account):
    with emulator.state.lock:
        return {k: [(n["title"], bool(n.get("is_deleted"))) for n in p["news_item"]]
                for k, p in emulator.state.published.items() if p["appid"] == account.app_id}


def wechat_pubs(batch):
    return list(batch.publications.filter(channel=Publication.Channel.WECHAT).order_by("account__code"))


def titles(count, deleted=()):
    return [(f"第{n}篇 流量包", n in deleted) for n in range(1, count + 1)]


def test_a_group_of_eight_goes_out_as_one_message_with_its_articles_in_order(matrix, matrix_accounts,
                                                                              wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    articles = branch_articles(matrix, 8)
    # the editor's order, not the creation order
    order = [articles[i] for i in (2, 0, 1, 3, 4, 5, 6, 7)]
    group = make_group(matrix["branch1"], order)
    batch = push(group)
    assert batch.kind == PublishBatch.Kind.NEWS_GROUP
    [pub] = wechat_pubs(batch)
    assert (pub.account.code, pub.state) == ("wx-sx-01", State.DONE)
    # one draft/add, one freepublish/submit
    with wechat_emulator.state.lock:
        calls = wechat_emulator.state.calls[account.app_id]
        assert (calls["draft/add"], calls["freepublish/submit"]) == (1, 1)
    assert list(published_on(wechat_emulator, account).values()) == [
        [(a.title, False) for a in order]
    ]
    assert ledger.platform_articles(account)["live"] == {pub.article_id}
    # a branch's group never goes out on the province's or the sibling's account
    assert published_on(wechat_emulator, matrix_accounts["wx-sx"]) == {}
    assert published_on(wechat_emulator, matrix_accounts["wx-sx-02"]) == {}


def test_a_ninth_article_and_an_empty_group_are_refused_naming_the_field(matrix):
    articles = branch_articles(matrix, 9)
    group = NewsGroup.objects.create(code="GRP-9", title="太多", organisation=matrix["branch1"])
    with pytest.raises(ValidationError) as empty:
        validate_group(group)
    assert "「图文」至少要有 1 篇" in empty.value.message_dict["entries"][0]
    for article in articles:
        NewsGroupEntry.objects.create(group=group, article=article)
    with pytest.raises(ValidationError) as nine:
        validate_group(group)
    assert nine.value.message_dict["entries"] == ["图文组合 GRP-9 的「图文」最多 8 篇,现有 9 篇"]
    # and the approval step is refused the same way (content.checks)
    assert [str(p) for p in group_checks(group) if p.blocking] == ["图文组合 GRP-9 的「图文」最多 8 篇,现有 9 篇"]


def test_a_group_with_an_unpublished_article_is_refused_at_push_time(matrix, matrix_accounts, wechat_emulator):
    first, second = branch_articles(matrix, 2)
    group = make_group(matrix["branch1"], [first, second])
    unpublish(second)
    [pub] = wechat_pubs(push(group))
    assert pub.state == State.FAILED and pub.last_error_code == "group"
    assert "第 2 篇「图文」ART-2 尚未发布" in pub.last_error
    assert published_on(wechat_emulator, matrix_accounts["wx-sx-01"]) == {}


def test_an_edited_group_approved_again_replaces_its_message(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    articles = branch_articles(matrix, 3)
    group = make_group(matrix["branch1"], articles)
    old_id = wechat_pubs(push(group))[0].article_id
    # when an editor removes the second article and publishes the group again
    group.entries.filter(article=articles[1]).delete()
    group = NewsGroup.objects.get(pk=group.pk)
    publish(group)
    # then one message is live, without it, and the old message was deleted whole
    live = published_on(wechat_emulator, account)
    assert list(live.values()) == [[("第1篇 流量包", False), ("第3篇 流量包", False)]]
    [new_id] = live
    assert new_id != old_id
    assert ledger.platform_articles(account) == {"live": {new_id}, "withdrawn": {old_id}}
    assert [(d["article_id"], d["index"]) for d in wechat_emulator.state.snapshot()["deleted_articles"]] == [
        (old_id, 0)
    ]


def test_unpublishing_a_group_takes_its_message_down(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    group = make_group(matrix["branch1"], branch_articles(matrix, 2))
    push(group)
    assert published_on(wechat_emulator, account)
    unpublish(group)
    assert published_on(wechat_emulator, account) == {}
    assert list(ledger.live_accounts(group)) == []
    batch = PublishBatch.objects.get(action=PublishBatch.Action.UNPUBLISH)
    assert batch.kind == PublishBatch.Kind.NEWS_GROUP
    assert {p.state for p in wechat_pubs(batch)} == {State.DONE}


def test_deleting_a_group_takes_its_message_down(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    group = make_group(matrix["branch1"], branch_articles(matrix, 2))
    push(group)
    with committed():
        group.delete()
    assert published_on(wechat_emulator, account) == {}
    assert ledger.platform_articles(account)["live"] == set()


def test_deleting_an_article_of_a_live_group_takes_down_its_position_only(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    articles = branch_articles(matrix, 3)
    group = make_group(matrix["branch1"], articles)
    message_id = wechat_pubs(push(group))[0].article_id
    # when the library's second article is deleted
    with committed():
        articles[1].delete()
    # then WeChat deleted position 2 of the message; the rest of it stays live
    assert [(d["article_id"], d["index"]) for d in wechat_emulator.state.snapshot()["deleted_articles"]] == [
        (message_id, 2)
    ]
    assert published_on(wechat_emulator, account) == {message_id: titles(3, deleted={2})}
    assert ledger.platform_articles(account)["live"] == {message_id}
    assert [e.article.code for e in NewsGroup.objects.get(pk=group.pk).entries.all()] == ["ART-1", "ART-3"]


def test_a_group_may_hold_an_article_shared_down_to_its_organisation(matrix, matrix_accounts, wechat_emulator):
    shared = make_article(matrix["province"], code="ART-P", title="全省活动")
    share_down(shared, [matrix["branch1"]])
    own = make_article(matrix["branch1"], code="ART-OWN", title="本地活动")
    group = make_group(matrix["branch1"], [shared, own])
    validate_group(group)
    push(group)
    assert list(published_on(wechat_emulator, matrix_accounts["wx-sx-01"]).values()) == [
        [("全省活动", False), ("本地活动", False)]
    ]


def test_a_sibling_branchs_article_is_refused(matrix):
    sibling = make_article(matrix["branch2"], code="ART-SX02", title="宝鸡活动")
    group = NewsGroup.objects.create(code="GRP-X", title="跨分公司", organisation=matrix["branch1"])
    NewsGroupEntry.objects.create(group=group, article=sibling)
    with pytest.raises(ValidationError) as error:
        validate_group(group)
    assert error.value.message_dict["entries"] == [
        "图文组合 GRP-X 第 1 篇「图文」ART-SX02 不属于本组织,也未下发给本组织"
    ]


def test_an_expired_group_is_taken_down_on_time(matrix, matrix_accounts, wechat_emulator):
    account = matrix_accounts["wx-sx-01"]
    group = make_group(matrix["branch1"], branch_articles(matrix, 2))
    push(group)
    assert published_on(wechat_emulator, account)
    NewsGroup.objects.filter(pk=group.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    with committed():
        call_command("publish_scheduled")
    assert not NewsGroup.objects.get(pk=group.pk).live
    assert published_on(wechat_emulator, account) == {}
    assert list(ledger.live_accounts(group)) == []
