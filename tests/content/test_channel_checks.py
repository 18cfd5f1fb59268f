"""Warnings before approval, not after the push fails: the edit page shows the
channel limit checks of the saved version (a 39-character title is over WeChat's
32, no cover), and a publisher's approval of an item that a targeted channel would
refuse is refused with those messages, the review left in progress."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from content.models import Article, Package
from tests.support.factories import ArticleFactory, PackageFactory
from tests.support.images import make_image

pytestmark = pytest.mark.django_db

LONG_TITLE = "五一劳动节全省流量包限时优惠活动火热进行中欢迎广大客户朋友踊跃参与办理详情请咨询当地营业厅"[:39]


def edit_url(item):
    return reverse(type(item).snippet_viewset.get_url_name("edit"), args=[item.pk])


def submitted_article(matrix, editor, **fields):
    article = ArticleFactory(code="CHK-1", organisation=matrix["branch1"], live=False, **fields)
    article.save_revision(user=editor)
    Article.get_default_workflow().start(article, editor)
    return article


def approve_url(item):
    task_state = TaskState.objects.for_instance(item).get(status=TaskState.STATUS_IN_PROGRESS)
    return reverse(type(item).snippet_viewset.get_url_name("workflow_action"), args=[item.pk, "approve", task_state.pk])


def test_edit_page_shows_the_channel_limits_the_saved_version_breaks(client, matrix, branch_editor):
    assert len(LONG_TITLE) == 39
    article = ArticleFactory(code="CHK-1", organisation=matrix["branch1"], live=False, title=LONG_TITLE)
    client.force_login(branch_editor)
    html = client.get(edit_url(article)).content.decode()
    assert "渠道检查" in html
    assert "标题 39 个字,微信要求不超过 32 个字" in html
    assert "缺少封面图" in html
    assert "审核时将被拒绝" in html


def test_an_article_within_the_limits_shows_no_warning(client, matrix, branch_editor):
    article = ArticleFactory(code="CHK-2", organisation=matrix["branch1"], live=False,
                             cover_image=make_image(matrix["branch1"], title="cover"))
    client.force_login(branch_editor)
    html = client.get(edit_url(article)).content.decode()
    assert "已保存版本符合各目标渠道的限制" in html


def test_a_package_missing_a_wechat_cover_is_only_a_hint(client, matrix, branch_editor):
    # Packages reach WeChat accounts in their bundle, not as a pushed rendition.
    package = PackageFactory(code="CHK-P", organisation=matrix["branch1"], live=False)
    client.force_login(branch_editor)
    html = client.get(edit_url(package)).content.decode()
    assert "[提示]" in html and "缺少封面图" in html
    assert "审核时将被拒绝" not in html


def test_approval_of_an_article_over_wechat_limits_is_refused_with_the_reasons(
    client, matrix, branch_editor, branch_publisher
):
    article = submitted_article(matrix, branch_editor, title=LONG_TITLE,
                                cover_image=make_image(matrix["branch1"], title="cover"))
    client.force_login(branch_publisher)
    response = client.post(approve_url(article), {"comment": ""}, follow=True)
    text = response.content.decode()
    assert "未能发布,审核仍在进行" in text
    assert "标题 39 个字,微信要求不超过 32 个字" in text
    article.refresh_from_db()
    assert not article.live and article.workflow_in_progress
    assert TaskState.objects.for_instance(article).filter(status=TaskState.STATUS_IN_PROGRESS).exists()


def test_approval_from_the_edit_page_is_refused_the_same_way(client, matrix, branch_editor, branch_publisher):
    article = submitted_article(matrix, branch_editor)  # no cover
    client.force_login(branch_publisher)
    form = {"code": article.code, "title": article.title, "author": article.author, "digest": "",
            "body": '{"blocks":[{"key":"a","text":"正文","type":"unstyled","depth":0,"inlineStyleRanges":[],"entityRanges":[],"data":{}}],"entityMap":{}}',
            "channels": "wechat_official_account", "organisation": str(matrix["branch1"].pk),
            "action-workflow-action": "1", "workflow-action-name": "approve"}
    response = client.post(edit_url(article), form, follow=True)
    text = response.content.decode()
    assert "未能批准,审核仍在进行" in text, text[:3000]
    assert "缺少封面图" in text
    article.refresh_from_db()
    assert not article.live and article.workflow_in_progress


def test_approval_of_an_article_within_the_limits_publishes_it(client, matrix, branch_editor, branch_publisher):
    article = submitted_article(matrix, branch_editor, cover_image=make_image(matrix["branch1"], title="cover"))
    client.force_login(branch_publisher)
    assert client.post(approve_url(article), {"comment": ""}).status_code == 302
    article.refresh_from_db()
    assert article.live


def test_package_approval_is_not_refused_for_a_wechat_hint(client, matrix, branch_editor, branch_publisher):
    package = PackageFactory(code="CHK-P2", organisation=matrix["branch1"], live=False)
    package.save_revision(user=branch_editor)
    Package.get_default_workflow().start(package, branch_editor)
    client.force_login(branch_publisher)
    assert client.post(approve_url(package), {"comment": ""}).status_code == 302
    package.refresh_from_db()
    assert package.live


def test_publishing_from_the_edit_page_is_refused_and_keeps_the_draft(client, matrix, branch_publisher):
    article = ArticleFactory(code="CHK-PUB", organisation=matrix["branch1"], live=False)  # no cover
    client.force_login(branch_publisher)
    form = {"code": article.code, "title": "改过的标题", "author": article.author, "digest": "",
            "body": '{"blocks":[{"key":"a","text":"正文","type":"unstyled","depth":0,"inlineStyleRanges":[],"entityRanges":[],"data":{}}],"entityMap":{}}',
            "channels": "wechat_official_account", "organisation": str(matrix["branch1"].pk),
            "action-publish": "1"}
    text = client.post(edit_url(article), form, follow=True).content.decode()
    assert "未能发布,已保存为草稿" in text and "缺少封面图" in text
    article.refresh_from_db()
    assert not article.live
    assert article.get_latest_revision_as_object().title == "改过的标题"
