"""The embedded default runs background work off the request: a real worker process
with beat on the filesystem broker (as ``bin/run`` starts it), over the test database
and the WeChat emulator. An approval only queues its pushes (it completes with no
worker running) and a worker completes them in the background; an item scheduled a
few seconds ahead goes live and is pushed with no cron."""

import datetime
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from cms.celery import app
from content import roles
from content.models import Article, ChannelAccount
from harness.embedded_worker import (
    EmbeddedWorkerProcess,
    restore,
    use_filesystem_broker,
)
from harness.worker import database_url
from publishing.models import FINISHED_STATES, Publication, PublishBatch, State
from tests.support.images import make_image
from tests.support.users import make_editor

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def embedded_broker(tmp_path):
    broker_dir = tmp_path / "celery"
    previous = use_filesystem_broker(app, broker_dir)
    yield broker_dir
    restore(app, previous)


@pytest.fixture
def embedded_worker(embedded_broker):
    # beat runs content.publish_scheduled every second here (every minute by default)
    worker = EmbeddedWorkerProcess(database_url(connection.settings_dict), embedded_broker,
                                   extra_env={"CONTENT_PUBLISH_SCHEDULED_SECONDS": "1"}).start()
    yield worker
    worker.stop()


def draft_article(organisation, code, **fields):
    cover = make_image(organisation, f"{code}-cover", color=(30, 120, 200))
    article = Article.objects.create(
        code=code, title="五一流量包上线", author="省公司", digest="流量加倍", cover_image=cover,
        body="<p>畅享5G,流量加倍。</p>", organisation=organisation, live=False,
        channels=[ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT], **fields,
    )
    return article


# Generous: under the full suite on two cores, polls backing off 1.5x each (from 0.5 s)
# have landed a batch's last poll past a minute; the approval's speed is asserted apart.
def wait_for_batch_done(code, worker, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = PublishBatch.objects.filter(source_code=code).first()
        if batch is not None and batch.publications.exists() and not batch.publications.exclude(
            state__in=FINISHED_STATES
        ).exists():
            return batch
        time.sleep(0.2)
    states = list(Publication.objects.filter(batch__source_code=code).values_list("state", flat=True))
    raise AssertionError(f"{code} not pushed after {timeout}s: {states}\n{worker.log()[-4000:]}")


def published_appids(emulator):
    return {p["appid"] for p in emulator.state.snapshot()["published"]}


def test_an_approval_returns_at_once_and_the_publication_completes_in_the_background(
    client, matrix, official_accounts, wechat_emulator, embedded_broker
):
    # given an article an editor submitted for approval
    editor = make_editor("editor-sx01", matrix["branch1"])
    publisher = make_editor("publisher-sx01", matrix["branch1"], group=roles.PUBLISHERS)
    article = draft_article(matrix["branch1"], "ART-EMB")
    article.save_revision(user=editor)
    Article.get_default_workflow().start(article, editor)
    task_state = TaskState.objects.for_instance(article).get(status=TaskState.STATUS_IN_PROGRESS)
    approve = reverse("wagtailsnippets_content_article:workflow_action", args=[article.pk, "approve", task_state.pk])
    client.force_login(publisher)
    # when the publisher approves it while no worker is running
    response = client.post(approve, {"comment": ""})
    # then the request completes the approval without doing the pushes: nothing reached
    # WeChat, the work waits in the broker (a timing would only measure the machine)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.live
    assert not Publication.objects.filter(batch__source_code="ART-EMB", state=State.DONE).exists()
    assert published_appids(wechat_emulator) == set()
    assert any(embedded_broker.rglob("*.msg")), "the approval queued no job"
    # and a worker started afterwards completes one publication per official account
    worker = EmbeddedWorkerProcess(database_url(connection.settings_dict), embedded_broker).start()
    try:
        batch = wait_for_batch_done("ART-EMB", worker)
    finally:
        worker.stop()
    pubs = list(batch.publications.select_related("account"))
    assert {p.account.code for p in pubs} == {a.code for a in official_accounts}
    assert {p.state for p in pubs} == {State.DONE}, [(p.account.code, p.last_error) for p in pubs]
    assert published_appids(wechat_emulator) == {a.app_id for a in official_accounts}


def test_an_item_scheduled_seconds_ahead_goes_live_and_is_pushed_without_cron(
    matrix, official_accounts, wechat_emulator, embedded_worker
):
    # given an article approved to go live three seconds from now
    go_live = timezone.now() + datetime.timedelta(seconds=3)
    article = draft_article(matrix["branch1"], "ART-LATER", go_live_at=go_live)
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live and article.latest_revision.approved_go_live_at == go_live
    # when the embedded worker's beat comes round (nothing else runs publish_scheduled)
    deadline = time.monotonic() + 90  # generous: a loaded machine delays the worker, not the rule
    while not Article.objects.get(pk=article.pk).live:
        assert time.monotonic() < deadline, embedded_worker.log()[-4000:]
        time.sleep(0.2)
    # then it went live on time, and was pushed to every official account
    went_live = timezone.now()
    assert went_live >= go_live
    batch = wait_for_batch_done("ART-LATER", embedded_worker)
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}
    assert published_appids(wechat_emulator) == {a.app_id for a in official_accounts}
