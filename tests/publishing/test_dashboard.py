"""The publishing dashboard: counts by state, filters, isolation, the buttons and
the progress endpoint."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from content.models import Article
from publishing.models import Publication, PublishBatch, State

pytestmark = pytest.mark.django_db


def make_batch(article, accounts_states, channel=Publication.Channel.WECHAT):
    batch = PublishBatch.objects.create(
        kind=PublishBatch.Kind.ARTICLE, source_type=ContentType.objects.get_for_model(Article),
        source_id=str(article.pk), source_code=article.code, label=article.title,
    )
    for account, state in accounts_states:
        Publication.objects.create(
            batch=batch, account=account, channel=channel, state=state,
            last_error="48001 公众号未获得该接口权限" if state == State.FAILED else "",
            last_error_code="48001" if state == State.FAILED else "",
        )
    return batch


@pytest.fixture
def batch(matrix, article):
    return make_batch(article, [
        (matrix["account_branch1"], State.DONE),
        (matrix["account_branch2"], State.FAILED),
        (matrix["account_province"], State.QUEUED),
    ])


def test_the_dashboard_counts_publications_by_state_and_lists_their_errors(
    client, superuser, batch, matrix, article, django_assert_max_num_queries
):
    for _ in range(12):
        make_batch(article, [(matrix["account_branch1"], State.DONE)])
    Publication.objects.exclude(batch=batch).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(superuser)
    # the query count does not grow with the batches and publications listed
    with django_assert_max_num_queries(30):
        page = client.get(reverse("publishing:dashboard")).content.decode()
    assert "推送看板" in page
    assert 'data-state="failed">失败<strong>1</strong>' in page
    assert 'data-state="done">已完成<strong>13</strong>' in page
    assert "48001 公众号未获得该接口权限" in page
    assert f'data-batch="{batch.pk}"' in page and 'aria-valuenow="67"' in page
    assert page.count("<tr data-batch=") == 10


def test_filters_narrow_the_list_by_state_account_and_time(client, superuser, batch, matrix):
    client.force_login(superuser)
    url = reverse("publishing:dashboard")
    failed = client.get(url, {"state": "failed"}).content.decode()
    assert failed.count("<tr data-publication=") == 1 and matrix["account_branch2"].code in failed
    by_account = client.get(url, {"account": matrix["account_branch1"].code}).content.decode()
    assert by_account.count("<tr data-publication=") == 1
    Publication.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert client.get(url, {"period": "24h"}).content.decode().count("<tr data-publication=") == 0
    assert client.get(url, {"period": "7d"}).content.decode().count("<tr data-publication=") == 3


def test_a_branch_editor_sees_only_own_publications_and_gets_404_for_a_sibling(client, matrix, batch, branch_editor):
    client.force_login(branch_editor)
    page = client.get(reverse("publishing:dashboard")).content.decode()
    assert page.count("<tr data-publication=") == 1
    sibling = Publication.objects.get(account=matrix["account_branch2"])
    assert client.get(reverse("publishing:publication", args=[sibling.pk])).status_code == 404
    own = Publication.objects.get(account=matrix["account_branch1"])
    assert client.get(reverse("publishing:publication", args=[own.pk])).status_code == 200
    # and an editor may look but not press the buttons
    assert client.post(reverse("publishing:publication_action", args=[own.pk, "cancel"])).status_code == 403


def test_a_publisher_cancels_a_queued_publication_and_the_batch_moves_on(client, matrix, article, branch_publisher):
    batch = make_batch(article, [(matrix["account_branch1"], State.QUEUED)])
    pub = batch.publications.get()
    client.force_login(branch_publisher)
    response = client.post(reverse("publishing:publication_action", args=[pub.pk, "cancel"]))
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.state == State.CANCELLED and "publisher-sx01" in pub.last_error
    batch.refresh_from_db()
    assert batch.finished_at is not None
    # cancelling again explains why not
    page = client.post(reverse("publishing:publication_action", args=[pub.pk, "cancel"]), follow=True)
    assert "已结束,不能取消" in page.content.decode()


def test_the_progress_endpoint_reports_counts_and_each_rows_state(
    client, superuser, batch, django_assert_max_num_queries
):
    client.force_login(superuser)
    # (polled every 1.5 s by each open dashboard: a fixed handful of queries)
    with django_assert_max_num_queries(6):
        data = client.get(reverse("publishing:batch_progress", args=[batch.pk])).json()
    assert data["total"] == 3 and data["finished"] == 2 and data["percent"] == 67 and not data["complete"]
    assert data["counts"]["failed"] == 1
    assert {row["state"] for row in data["publications"]} == {"done", "failed", "queued"}
    assert next(r for r in data["publications"] if r["state"] == "failed")["error"].startswith("48001")


def test_the_admin_home_alerts_about_failed_and_paused_jobs(client, superuser, matrix, article):
    make_batch(article, [(matrix["account_branch1"], State.FAILED), (matrix["account_branch2"], State.PAUSED)])
    Publication.objects.filter(state=State.PAUSED).update(last_error="45009 接口调用超过每日限额")
    from django.test import RequestFactory

    from publishing.wagtail_hooks import push_alerts_panel

    request = RequestFactory().get("/admin/")
    request.user = superuser
    panels = []
    push_alerts_panel(request, panels)
    html = panels[0].render_html()
    assert "推送告警" in html and "45009 接口调用超过每日限额" in html and "失败的发布任务:1" in html
    client.force_login(superuser)
    dashboard = client.get(reverse("publishing:dashboard")).content.decode()
    assert f'data-paused-account="{matrix["account_branch2"].code}"' in dashboard


@pytest.mark.integration
def test_a_publisher_retries_a_failed_publication_from_the_dashboard(
    client, official_accounts, article, wechat_emulator, branch_publisher, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    wechat_emulator.state.script(endpoint="draft/add", appid=account.app_id, errcode=48001)
    from publishing import services

    with django_capture_on_commit_callbacks(execute=True):
        batch = services.publish_item(article, accounts=[account])
    pub = batch.publications.get()
    assert pub.state == State.FAILED
    client.force_login(branch_publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publishing:publication_action", args=[pub.pk, "retry"]))
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.state == State.DONE and pub.article_id
