"""A publisher watches a bulk publish on the dashboard: the progress bar moves as
jobs finish, a failed job is retried and a queued one cancelled with the buttons."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from content.models import Article
from publishing.models import Publication, PublishBatch, State
from publishing.services import progress
from tests.support.browser import admin_login


pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def bulk_batch(article, accounts):
    batch = PublishBatch.objects.create(
        kind=PublishBatch.Kind.ARTICLE, source_type=ContentType.objects.get_for_model(Article),
        source_id=str(article.pk), source_code=article.code, label=article.title,
    )
    pubs = [Publication.objects.create(batch=batch, account=a, channel=Publication.Channel.WECHAT) for a in accounts]
    return batch, pubs


def test_publisher_sees_progress_move_retries_a_failure_and_cancels_a_queued_job(
    admin_page, official_accounts, article, branch_publisher
):
    page = admin_page
    # given a batch of three queued jobs, one of which already failed with WeChat's reason
    batch, (first, second, third) = bulk_batch(article, official_accounts)
    progress.finish(first.pk, State.FAILED, error="48001 公众号未获得该接口权限", code="48001")
    admin_login(page, branch_publisher.username)
    page.goto(f"{page.base_url}/admin/publishing/")
    row = page.locator(f'tr[data-batch="{batch.pk}"]')
    assert row.locator('[data-field="finished"]').inner_text() == "1"
    assert "48001 公众号未获得该接口权限" in page.locator(f'tr[data-publication="{first.pk}"]').inner_text()
    # when a job finishes in the background
    progress.complete(second.pk, via=Publication.Via.POLL, article_id="ART_1")
    # then the bar moves without reloading the page, and the row shows it done
    selector = f'tr[data-batch="{batch.pk}"] [data-field=finished]'
    page.wait_for_function("s => document.querySelector(s).textContent === '2'", arg=selector)
    assert row.locator(".pub-progress").get_attribute("aria-valuenow") == "67"
    assert page.locator(f'tr[data-publication="{second.pk}"] .pub-state').inner_text() == "已完成"
    # when the publisher cancels the queued job
    page.locator(f'tr[data-publication="{third.pk}"] button:has-text("取消")').click()
    page.wait_for_selector("text=已取消")
    assert Publication.objects.get(pk=third.pk).state == State.CANCELLED
    # and retries the failed one, which now goes through to WeChat
    page.locator(f'tr[data-publication="{first.pk}"] button:has-text("重试")').click()
    page.wait_for_selector("text=已重新排队")
    first.refresh_from_db()
    assert first.state == State.DONE and first.article_id
    # then the batch is complete
    page.goto(f"{page.base_url}/admin/publishing/batches/{batch.pk}/")
    text = page.locator("main").inner_text()
    assert re.search(r"3\s*/\s*3", text)
    assert page.locator(".pub-progress").get_attribute("aria-valuenow") == "100"
