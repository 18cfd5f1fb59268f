"""An article to WeChat official accounts, through the emulator over HTTP."""

import pytest

from publishing.models import Publication, State
from tests.support.publishing import push

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def appids(accounts):
    return {a.app_id for a in accounts}


def test_publishing_an_article_drafts_and_publishes_it_once_on_every_account(
    official_accounts, article, wechat_emulator
):
    # when the article is pushed
    batch = push(article)
    # then one WeChat publication per account ended done with its remote ids stored
    pubs = list(batch.publications.order_by("account__code"))
    assert [p.account.code for p in pubs] == [a.code for a in official_accounts]
    for pub in pubs:
        assert pub.channel == Publication.Channel.WECHAT
        assert pub.state == State.DONE, pub.last_error
        assert pub.media_id and pub.publish_id and pub.article_id
        assert pub.attempts == 1 and pub.finished_at and pub.started_at
    # and WeChat holds exactly one published article per account, with our title
    state = wechat_emulator.state.snapshot()
    published = [p for p in state["published"] if p["appid"] in appids(official_accounts)]
    assert sorted(p["appid"] for p in published) == sorted(appids(official_accounts))
    assert all(p["titles"] == ["五一流量包上线"] for p in published)
    assert batch.__class__.objects.get(pk=batch.pk).finished_at is not None


def test_each_distinct_image_goes_up_once_per_account_and_one_token_serves_each_account(
    official_accounts, article, wechat_emulator
):
    # given the article was published once
    push(article)
    # when it is published again
    batch = push(article)
    # then the second batch is done without uploading anything again
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}
    calls = wechat_emulator.state.snapshot()["calls"]
    for account in official_accounts:
        own = calls[account.app_id]
        assert own["media/uploadimg"] == 2  # two distinct body images, once
        assert own["material/add_material"] == 1  # the cover, once
        assert own["draft/add"] == 2 and own["freepublish/submit"] == 2
        assert own["stable_token"] == 1


def test_the_draft_carries_the_uploaded_image_urls_instead_of_the_library_ones(
    official_accounts, article, wechat_emulator
):
    push(article, accounts=official_accounts[:1])
    state = wechat_emulator.state
    with state.lock:
        news = [p["news_item"][0] for p in state.published.values() if p["appid"] == official_accounts[0].app_id]
    assert len(news) == 1
    content = news[0]["content"]
    assert "cms-image://" not in content
    assert content.count("<img") == 2 and "/_emulator/media/" in content or "mmbiz" in content


def test_pushing_only_to_named_accounts_leaves_the_others_alone(
    official_accounts, article
):
    batch = push(article, accounts=official_accounts[1:2])
    assert list(batch.publications.values_list("account__code", flat=True)) == [official_accounts[1].code]


def test_an_article_without_cover_fails_at_once_naming_the_cover(
    official_accounts, article, wechat_emulator
):
    # given the article lost its cover
    article.cover_image = None
    article.save_revision().publish()
    # when it is pushed
    batch = push(article, accounts=official_accounts[:1])
    # then the publication failed on its first attempt with the reason, nothing drafted
    pub = batch.publications.get()
    assert pub.state == State.FAILED and pub.attempts == 1
    assert "封面" in pub.last_error
    assert wechat_emulator.state.snapshot()["calls"].get(official_accounts[0].app_id, {}).get("draft/add", 0) == 0
