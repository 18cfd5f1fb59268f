"""A real worker process over Redis: a bulk publish to 30 official accounts through a
faulty emulator ends with every publication done and nothing duplicated, webhook
deliveries all arrive in order, and a worker killed mid-publish is picked up again."""

import time
from collections import Counter

import pytest
from django.db import connection

from cms.celery import app
from content.models import ChannelAccount
from content.secrets import Secret
from content.services.accounts import set_secret
from publishing.models import FINISHED_STATES, Delivery, Publication, PublishBatch, State, WebhookEndpoint
from harness.worker import WorkerProcess, database_url, purge_broker, restore, use_broker
from tests.support.factories import ChannelAccountFactory
from tests.support.images import make_image
from tests.support.publishing import make_article, make_official_accounts

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 30


@pytest.fixture
def broker():
    purge_broker()
    previous = use_broker(app)
    yield
    restore(app, previous)
    purge_broker()


@pytest.fixture
def workers():
    started = []

    def start(**kwargs):
        worker = WorkerProcess(database_url(connection.settings_dict), **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def bulk(matrix, wechat_emulator, live_server):
    """30 official accounts (callbacks signed, sent to the live server) and two web
    back ends with webhook endpoints, all under branch SX-01."""
    ChannelAccount.objects.filter(code__in=["wx-sx", "wx-sx-01", "wx-sx-02"]).update(enabled=False)
    accounts = make_official_accounts(matrix["branch1"], ACCOUNTS, wechat_emulator.base_url, prefix="wx-bulk")
    wechat_emulator.state.configure(callback_base=live_server.url, publish_delay_ms=200)
    for account in accounts:
        set_secret(account, "callback_token", f"token-{account.code}")
        wechat_emulator.state.register(account.app_id, code=account.code, callback_token=f"token-{account.code}")
    web = [
        ChannelAccountFactory(code=f"web-bulk-{n}", organisation=matrix["branch1"], type=ChannelAccount.Type.WEB,
                              app_id="", base_url=f"https://web{n}.example-operator.cn")
        for n in range(2)
    ]
    return accounts, web


def wait_until_finished(batch, timeout, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Publication.objects.filter(batch=batch).exclude(state__in=FINISHED_STATES).exists():
            return
        time.sleep(0.3)
    states = Counter(Publication.objects.filter(batch=batch).values_list("state", flat=True))
    raise AssertionError(f"not finished after {timeout}s: {dict(states)}\n{_without_beat(worker.log())[-4000:]}")


def assert_one_article_per_account(emulator, accounts):
    snapshot = emulator.state.snapshot()
    for account in accounts:
        jobs = [j for j in snapshot["jobs"] if j["appid"] == account.app_id]
        published = [p for p in snapshot["published"] if p["appid"] == account.app_id]
        drafts = [d for d in snapshot["drafts"] if d["appid"] == account.app_id]
        assert (len(jobs), len(published), len(drafts)) == (1, 1, 0), account.code


def editors_batch(code, worker, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = PublishBatch.objects.filter(source_code=code).first()
        if batch is not None:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"no batch for {code}:\n{_without_beat(worker.log())[-4000:]}")


def _without_beat(log):
    """The worker's log without the periodic tasks' lines, which drown what matters."""
    periodic = ("publishing.sweep", "publishing-sweep", "publish_scheduled", "publish-scheduled")
    return "\n".join(line for line in log.splitlines() if not any(p in line for p in periodic))


def test_a_bulk_publish_through_a_faulty_wechat_completes_every_publication_without_duplicates(
    bulk, broker, workers, wechat_emulator, webhook_receiver, matrix
):
    accounts, web = bulk
    # given WeChat busy on 20% of calls and tokens expiring at random, a back end failing 20%
    wechat_emulator.state.configure(fault_rate=0.2, expire_token_rate=0.05, seed=20)
    webhook_receiver.fail_rate = 0.2
    for account in web:
        secret = Secret(webhook_receiver.secret)
        WebhookEndpoint.objects.create(account=account, url=webhook_receiver.url, secret=secret)
    worker = workers()
    # when an editor publishes an article for the official accounts and the web site
    make_article(matrix["branch1"], code="ART-BULK", images=[make_image(title="bulk-body", color=(1, 2, 3), format="JPEG")],
                 channels=[ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, ChannelAccount.Type.WEB])
    batch = editors_batch("ART-BULK", worker)
    wait_until_finished(batch, 240, worker)
    # then every publication is done, WeChat's through the poll or the PUBLISHJOBFINISH event
    pubs = list(batch.publications.select_related("account"))
    assert len(pubs) == ACCOUNTS + len(web)
    assert Counter(p.state for p in pubs) == {State.DONE: ACCOUNTS + len(web)}, [
        (p.account.code, p.last_error) for p in pubs if p.state != State.DONE
    ]
    wechat = [p for p in pubs if p.channel == Publication.Channel.WECHAT]
    assert all(p.article_id and p.completed_via in ("poll", "event") for p in wechat)
    # (WeChat's PUBLISHJOBFINISH reached the live server and was accepted for every
    # account; whichever of poll and event came first completed it, once)
    callbacks = wechat_emulator.state.snapshot()["callbacks"]
    assert {c["appid"] for c in callbacks if c["http_status"] == 200} == {a.app_id for a in accounts}
    # and each account holds exactly one published article, from one draft and one job
    assert_one_article_per_account(wechat_emulator, accounts)
    calls = wechat_emulator.state.snapshot()["calls"]
    assert sum(calls[a.app_id]["stable_token"] for a in accounts) >= ACCOUNTS
    # and no webhook delivery was lost: each back end got the article, versions in order
    for endpoint in WebhookEndpoint.objects.select_related("account"):
        deliveries = list(Delivery.objects.filter(endpoint=endpoint).order_by("pk"))
        assert deliveries and all(d.state == State.DONE for d in deliveries)
        accepted = [doc for _, headers, doc in webhook_receiver.accepted
                    if headers.get("X-CMS-Account") == endpoint.account.code]
        versions = [doc["version"] for doc in accepted]
        assert versions == sorted(versions)
        articles = [a["code"] for doc in accepted
                    for a in (doc["data"].get("articles") or doc["data"].get("upserts", {}).get("articles", []))]
        assert "ART-BULK" in articles


def test_a_worker_killed_mid_publish_is_replaced_and_the_work_completes_once(
    bulk, broker, workers, wechat_emulator, matrix
):
    accounts, _ = bulk
    # given slow WeChat answers, so the kill lands in the middle of the batch
    wechat_emulator.state.configure(slow_rate=1.0, slow_ms=150)
    worker = workers(concurrency=2)
    make_article(matrix["branch1"], code="ART-KILL")
    batch = editors_batch("ART-KILL", worker)
    deadline = time.monotonic() + 120
    while Publication.objects.filter(batch=batch, state=State.DONE).count() < 3:
        assert time.monotonic() < deadline, worker.log()[-3000:]
        time.sleep(0.1)
    # when the worker is killed (SIGKILL, no shutdown) while jobs are in flight
    worker.kill()
    assert Publication.objects.filter(batch=batch).exclude(state=State.DONE).exists()
    # and a new worker starts
    wechat_emulator.state.configure(slow_rate=0.0)
    replacement = workers(concurrency=2)
    # then every publication completes, and no account got a second draft or article
    wait_until_finished(batch, 180, replacement)
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}
    assert_one_article_per_account(wechat_emulator, accounts)
    assert len(set(batch.publications.values_list("article_id", flat=True))) == ACCOUNTS
