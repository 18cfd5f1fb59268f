"""Approving "without channel X": an approval refused by a channel's blocking warnings
(an article over WeChat's limits) can be given anyway with that channel left out; the
choice is in the item's history and on the publish batch, and the push skips every
account of that channel while the others still receive the item."""

import json

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry, TaskState

from content.models import Article, ChannelAccount
from content.services.approval import ACTION
from publishing.models import Publication, PublishBatch, WebhookEndpoint
from tests.support.factories import ArticleFactory, ChannelAccountFactory
from tests.support.images import make_image

pytestmark = pytest.mark.django_db

LONG_TITLE = "五一劳动节全省流量包限时优惠活动火热进行中欢迎广大客户朋友踊跃参与办理详情请咨询当地营业厅"[:39]
WECHAT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT


@pytest.fixture
def submitted(matrix, branch_editor):
    """An article for WeChat and the web hall whose 39-character title WeChat refuses."""
    web = ChannelAccountFactory(code="web-sx-01", type=ChannelAccount.Type.WEB, organisation=matrix["branch1"])
    WebhookEndpoint.objects.create(account=web, url="http://127.0.0.1:10199/hook")
    article = ArticleFactory(code="WO-1", organisation=matrix["branch1"], live=False, title=LONG_TITLE,
                             channels=[WECHAT, ChannelAccount.Type.WEB],
                             cover_image=make_image(matrix["branch1"], title="cover"))
    article.save_revision(user=branch_editor)
    Article.get_default_workflow().start(article, branch_editor)
    return article, web


def approve(client, item, **data):
    task_state = TaskState.objects.for_instance(item).get(status=TaskState.STATUS_IN_PROGRESS)
    url = reverse(Article.snippet_viewset.get_url_name("workflow_action"), args=[item.pk, "approve", task_state.pk])
    return client.post(url, {"comment": "", **data}, follow=True)


def test_a_refused_approval_offers_to_leave_the_channel_out(client, submitted, branch_publisher):
    article, _web = submitted
    client.force_login(branch_publisher)
    text = approve(client, article).content.decode()
    assert "未能发布,审核仍在进行" in text and "标题 39 个字" in text
    assert "不推送到这些渠道,仍然批准" in text
    article.refresh_from_db()
    assert not article.live and article.workflow_in_progress
    assert not ModelLogEntry.objects.filter(action=ACTION).exists()


def test_the_approve_form_offers_the_choice(client, submitted, branch_publisher):
    article, _web = submitted
    client.force_login(branch_publisher)
    task_state = TaskState.objects.for_instance(article).get(status=TaskState.STATUS_IN_PROGRESS)
    url = reverse(Article.snippet_viewset.get_url_name("workflow_action"), args=[article.pk, "approve", task_state.pk])
    html = client.get(url).json()["html"]
    assert 'name="without_channels"' in html and "微信公众号" in html


def test_approval_without_wechat_publishes_records_and_skips_wechat(
    client, matrix, submitted, branch_publisher, django_capture_on_commit_callbacks
):
    article, web = submitted
    client.force_login(branch_publisher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = approve(client, article, without_channels=[WECHAT])
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.live and not article.workflow_in_progress
    # recorded in the item's history, with who chose it and for which revision
    entry = ModelLogEntry.objects.get(action=ACTION)
    assert entry.user == branch_publisher and entry.revision_id == article.live_revision_id
    assert entry.data["channels"] == [WECHAT]
    history = client.get(reverse(Article.snippet_viewset.get_url_name("history"), args=[article.pk])).content.decode()
    assert "批准,不推送到:微信公众号" in history
    # the push (publish_source, after commit) leaves every official account out
    with django_capture_on_commit_callbacks(execute=False):
        for callback in callbacks:
            callback()
    batch = PublishBatch.objects.get(source_code="WO-1")
    assert batch.left_out_channels == [WECHAT]
    assert batch.revision_id == article.live_revision_id
    assert list(batch.publications.values_list("account__code", "channel")) == [
        (web.code, Publication.Channel.WEBHOOK)
    ]
    assert matrix["account_branch1"].type == WECHAT  # reached by the article, yet nothing for it


def test_leaving_out_another_channel_does_not_lift_the_refusal(client, submitted, branch_publisher):
    article, _web = submitted
    client.force_login(branch_publisher)
    text = approve(client, article, without_channels=[ChannelAccount.Type.WEB]).content.decode()
    assert "未能发布,审核仍在进行" in text
    article.refresh_from_db()
    assert not article.live
    assert not ModelLogEntry.objects.filter(action=ACTION).exists()


def test_a_plain_approval_pushes_to_every_channel(client, matrix, branch_editor, branch_publisher,
                                                  django_capture_on_commit_callbacks):
    article = ArticleFactory(code="WO-2", organisation=matrix["branch1"], live=False,
                             cover_image=make_image(matrix["branch1"], title="cover"))
    article.save_revision(user=branch_editor)
    Article.get_default_workflow().start(article, branch_editor)
    client.force_login(branch_publisher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve(client, article)
    with django_capture_on_commit_callbacks(execute=False):
        for callback in callbacks:
            callback()
    batch = PublishBatch.objects.get(source_code="WO-2")
    assert batch.left_out_channels == []
    assert batch.publications.filter(channel=Publication.Channel.WECHAT).exists()


def test_approval_from_the_edit_page_can_leave_the_channel_out(client, matrix, submitted, branch_publisher):
    article, _web = submitted
    client.force_login(branch_publisher)
    form = {"code": article.code, "title": article.title, "author": article.author, "digest": "",
            "body": '{"blocks":[{"key":"a","text":"正文","type":"unstyled","depth":0,"inlineStyleRanges":[],'
                    '"entityRanges":[],"data":{}}],"entityMap":{}}',
            "channels": [WECHAT, ChannelAccount.Type.WEB], "organisation": str(matrix["branch1"].pk),
            "cover_image": str(article.cover_image_id),
            "action-workflow-action": "1", "workflow-action-name": "approve",
            "workflow-action-extra-data": json.dumps({"comment": "", "without_channels": [WECHAT]})}
    edit = reverse(Article.snippet_viewset.get_url_name("edit"), args=[article.pk])
    text = client.post(edit, form, follow=True).content.decode()
    article.refresh_from_db()
    assert article.live, text[:2000]
    assert ModelLogEntry.objects.get(action=ACTION).data["channels"] == [WECHAT]
