"""Feedback: approving (or publishing) an item answers at once with what happened,
"已批准并发布…,正在推送到 N 个账号", and a link that leads to the push's batch on
the dashboard (whose progress bar refreshes itself, test_dashboard_browser.py)."""

import re

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from content.models import Article
from publishing.models import PublishBatch
from tests.support.factories import ArticleFactory
from tests.support.images import make_image

pytestmark = pytest.mark.django_db


def test_approval_says_how_many_accounts_it_pushes_to_and_links_to_the_batch(
    client, matrix, branch_editor, branch_publisher, django_capture_on_commit_callbacks
):
    article = ArticleFactory(code="FB-1", organisation=matrix["branch1"], live=False,
                             cover_image=make_image(matrix["branch1"], title="cover"))
    article.save_revision(user=branch_editor)
    Article.get_default_workflow().start(article, branch_editor)
    task_state = TaskState.objects.for_instance(article).get(status=TaskState.STATUS_IN_PROGRESS)
    client.force_login(branch_publisher)
    url = reverse(Article.snippet_viewset.get_url_name("workflow_action"), args=[article.pk, "approve", task_state.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"comment": ""})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    # the branch's own official account (never the province's: content/reach.py)
    assert f"已批准并发布「{article}」,正在推送到 1 个账号" in page
    link = re.search(r'href="(/admin/publishing/items/[^"]+)"', page).group(1).replace("&amp;", "&")
    batch = PublishBatch.objects.get(source_id=str(article.pk))
    assert client.get(link)["Location"] == reverse("publishing:batch", args=[batch.pk])


def test_the_link_waits_for_a_batch_not_yet_made(client, matrix, branch_publisher):
    article = ArticleFactory(code="FB-2", organisation=matrix["branch1"], live=True)
    client.force_login(branch_publisher)
    from publishing.feedback import item_progress_url

    response = client.get(item_progress_url(article))
    assert response.status_code == 200
    assert "正在创建推送任务" in response.content.decode()
