"""Publishing in the editorial workflow schedules the pushes after commit, and the
command line does the same on demand."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from content.models import Package
from publishing.models import Publication, PublishBatch, State

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_an_editors_publish_schedules_the_push_only_after_commit(
    official_accounts, article, django_capture_on_commit_callbacks
):
    # when the editor publishes a new revision
    article.title = "五一流量包升级"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.save_revision().publish()
    # then nothing ran inside the transaction
    assert not PublishBatch.objects.exists()
    assert callbacks
    # and after commit one batch pushed it to every official account
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    batch = PublishBatch.objects.get()
    assert batch.kind == PublishBatch.Kind.ARTICLE and batch.origin == PublishBatch.Origin.EDITOR
    article.refresh_from_db()
    assert batch.revision_id == article.live_revision_id
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}
    assert batch.publications.count() == len(official_accounts)


@pytest.mark.django_db(transaction=True)
def test_the_publish_command_prints_the_publications_and_waits_for_their_outcome(official_accounts, article):
    # (committed transactions, as the command runs in production)
    out = StringIO()
    call_command("publish", "article", article.code, "--account", official_accounts[0].code,
                 "--account", official_accounts[1].code, "--wait", "--timeout", "60", stdout=out)
    text = out.getvalue()
    batch = PublishBatch.objects.get(origin=PublishBatch.Origin.COMMAND)
    for pub in batch.publications.all():
        assert pub.state == State.DONE
        assert f"#{pub.pk}" in text and pub.account.code in text and f"article_id={pub.article_id}" in text
    assert official_accounts[2].code not in text
    assert "全部 2 个发布任务已结束" in text


def test_the_publish_command_names_what_it_cannot_find(official_accounts, article):
    with pytest.raises(CommandError, match="未知的渠道账号:wx-nope"):
        call_command("publish", "article", article.code, "--account", "wx-nope")
    with pytest.raises(CommandError, match="ART-404"):
        call_command("publish", "article", "ART-404")
    with pytest.raises(CommandError, match="不面向这些账号"):
        call_command("publish", "article", article.code, "--account", "wx-sx-02")


def test_the_publish_command_refuses_an_item_that_was_never_published(matrix):
    Package.objects.create(code="PKG-1", name="畅享套餐", monthly_fee=58, organisation=matrix["branch1"], live=False)
    with pytest.raises(CommandError, match="尚未发布"):
        call_command("publish", "package", "PKG-1")


@pytest.mark.django_db(transaction=True)
def test_the_publish_command_exits_non_zero_when_a_publication_failed(official_accounts, article, wechat_emulator):
    wechat_emulator.state.script(endpoint="draft/add", appid=official_accounts[0].app_id, errcode=48001)
    out = StringIO()
    with pytest.raises(CommandError, match="1 个发布任务未成功"):
        call_command("publish", "article", article.code, "--account", official_accounts[0].code, "--wait",
                     "--timeout", "60", stdout=out)
    assert "48001" in out.getvalue()
    assert Publication.objects.get(batch__origin=PublishBatch.Origin.COMMAND).state == State.FAILED
