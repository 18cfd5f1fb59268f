"""Push publishing, end to end: one article to 30 official accounts through the WeChat
emulator, and webhook deliveries of an SMS account's bundle.

    DATABASE_URL=postgres://... python bench/publishing.py [--accounts 30] [--out bench/results/publishing.md]

Publish scenarios (each on 30 fresh accounts, so nothing is cached from a previous one):
  raw        the HTTP calls any publisher must make, one account after the other, with
             httpx and no bookkeeping (reference): token, uploads, draft, submit, poll
  embedded   the embedded default: one worker (4 threads) on the filesystem broker, as `make run`
  worker     one `celery -A cms worker` over Redis, pool of 1 and of 2 processes
  faults     one worker (pool of 2), WeChat busy on 20% of calls and tokens expiring at random
Reported: wall time until every publication is done, ratio against raw, HTTP calls,
body-image uploads and stable_token calls per account, duplicate articles.
Webhooks: the first delivery (full bundle) against the delivery after one template
changed (what it carries and its size), sent by the embedded worker. Needs a migrated
database and Redis."""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

import httpx
from django.core.management import call_command
from django.db import connection
from django.db.models import ProtectedError

from bench.report import save
from cms.celery import app
from content.models import Article, ChannelAccount, Organisation, SmsTemplate
from content.secrets import Secret
from content.services.accounts import set_secret
from harness import embedded_worker
from harness.images import image_bytes, make_image
from harness.worker import (
    WorkerProcess,
    database_url,
    purge_broker,
    restore,
    use_broker,
)
from media.models import LibraryImage
from publishing import services
from publishing.models import (
    FINISHED_STATES,
    Delivery,
    Publication,
    PublishBatch,
    State,
    WebhookEndpoint,
)

BODY_IMAGES = 3
PORTS = range(18860, 18900)


def jpeg(color, size=(1200, 600)):
    return image_bytes(color, size, "JPEG")


def image(run, name, color, org):
    return make_image(org, title=f"{run}-{name}", color=color, format="JPEG")


class EmulatorProcess:
    """`manage.py wechat_emulator` in its own process, as WeChat would be: steered and
    inspected over its /_emulator/ HTTP controls."""

    def __init__(self):
        for port in PORTS:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) != 0:
                    break
        self.base_url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "wechat_emulator", "--port", str(port), "--publish-delay-ms", "300"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base_url}/_emulator/state", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit("the emulator did not start")

    def configure(self, **changes):
        httpx.post(f"{self.base_url}/_emulator/config", json=changes, timeout=10).raise_for_status()

    def snapshot(self):
        return httpx.get(f"{self.base_url}/_emulator/state", timeout=30).json()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


class Setup:
    """An organisation with an article (cover and body images) for this run."""

    def __init__(self, run):
        self.run = run
        self.org = Organisation.objects.create(code=f"B-{run}", name=f"基准分公司{run}", level="branch",
                                               parent=Organisation.objects.filter(level="province").first())
        body = "<p>基准图文正文。</p>" + "".join(
            f'<embed embedtype="image" id="{image(run, f"body{i}", (40 * i, 90, 160), self.org).pk}" '
            f'format="fullwidth" alt="图{i}"/>' for i in range(BODY_IMAGES))
        self.article = Article(code=f"ART-{run}", title="基准图文", author="基准", digest="基准摘要", body=body,
                               organisation=self.org, channels=[ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT],
                               cover_image=image(run, "cover", (200, 30, 30), self.org))
        self.article.save()
        # Publishing here would push at once; the scenarios push explicitly.
        Article.objects.filter(pk=self.article.pk).update(live=True)
        self.article.refresh_from_db()
        self.accounts_made = 0

    def cleanup(self):
        """Remove what this run created, so later benchmarks see the export unchanged."""
        accounts = ChannelAccount.objects.filter(organisation=self.org)
        WebhookEndpoint.objects.filter(account__in=accounts).delete()
        PublishBatch.objects.filter(publications__account__in=accounts).delete()
        SmsTemplate.objects.filter(organisation=self.org).delete()
        Article.objects.filter(organisation=self.org).delete()
        accounts.delete()
        LibraryImage.objects.filter(organisation=self.org).delete()
        try:
            self.org.delete()
        except ProtectedError as exc:
            print(f"note: organisation {self.org.code} kept ({exc.args[0]})")

    def accounts(self, n, base_url):
        made = []
        for _ in range(n):
            self.accounts_made += 1
            code = f"wx-{self.run}-{self.accounts_made:03d}"
            account = ChannelAccount.objects.create(
                code=code, name=code, type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, organisation=self.org,
                app_id=f"wx{self.run}{self.accounts_made:04d}", api_base_url=base_url)
            set_secret(account, "app_secret", "bench-secret")
            made.append(account)
        return made


def raw_publish(emulator, accounts, images):
    """The reference: the calls one account needs, made back to back."""
    with httpx.Client(timeout=10) as http:
        base = emulator.base_url
        for account in accounts:
            token = http.post(f"{base}/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": account.app_id, "secret": "bench-secret"}).json()
            q = {"access_token": token["access_token"]}
            urls = [http.post(f"{base}/cgi-bin/media/uploadimg", params=q,
                              files={"media": ("b.jpg", data, "image/jpeg")}).json()["url"] for data in images[1:]]
            thumb = http.post(f"{base}/cgi-bin/material/add_material", params={**q, "type": "image"},
                              files={"media": ("c.jpg", images[0], "image/jpeg")}).json()["media_id"]
            content = "".join(f'<p><img src="{u}"></p>' for u in urls)
            media_id = http.post(f"{base}/cgi-bin/draft/add", params=q, json={"articles": [
                {"title": "基准图文", "content": content, "thumb_media_id": thumb}]}).json()["media_id"]
            publish_id = http.post(f"{base}/cgi-bin/freepublish/submit", params=q,
                                   json={"media_id": media_id}).json()["publish_id"]
            while http.post(f"{base}/cgi-bin/freepublish/get", params=q,
                            json={"publish_id": publish_id}).json()["publish_status"] == 1:
                time.sleep(0.05)


def raw_replace(emulator, accounts, images):
    """The edit reference: per account the calls of a new version (as ``raw_publish``)
    and then ``freepublish/delete`` of the old article, back to back."""
    raw_publish(emulator, accounts, images)
    with httpx.Client(timeout=10) as http:
        base = emulator.base_url
        published = emulator.snapshot()["published"]
        for account in accounts:
            token = http.post(f"{base}/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": account.app_id, "secret": "bench-secret"}).json()
            first = next(p["article_id"] for p in published if p["appid"] == account.app_id)
            http.post(f"{base}/cgi-bin/freepublish/delete", params={"access_token": token["access_token"]},
                      json={"article_id": first})


def edit_converges(setup, emulator, n):
    """An article live on n accounts, edited and published again (embedded worker): wall
    time until every account shows only the new version (new article live, old deleted)."""
    from publishing.services import ledger

    accounts = setup.accounts(n, emulator.base_url)
    with embedded():
        wait_done(services.publish_item(setup.article, accounts=accounts, origin=PublishBatch.Origin.COMMAND))
        old = {a.pk: ledger.live_article_id(setup.article.code, a) for a in accounts}
        Article.objects.filter(pk=setup.article.pk).update(title="基准图文(修订)")
        setup.article.refresh_from_db()
        started = time.perf_counter()
        batch = services.publish_item(setup.article, accounts=accounts, origin=PublishBatch.Origin.COMMAND)
        deadline = time.monotonic() + 300
        while True:
            deleted = emulator_deleted(emulator)
            pending = [a for a in accounts if ledger.platform_articles(a)["live"] in (set(), {old[a.pk]})
                       or (a.app_id, old[a.pk]) not in deleted]
            if not pending:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"edit not converged after 300 s on {len(pending)} accounts")
            time.sleep(0.1)
        wall = time.perf_counter() - started
    states = set(batch.publications.values_list("state", flat=True))
    live = [ledger.platform_articles(a)["live"] for a in accounts]
    return {"wall": wall, "all_done": states == {State.DONE} and all(len(ids) == 1 for ids in live),
            "accounts": n}


def emulator_deleted(emulator):
    """{(appid, article_id)} deleted with freepublish/delete, per the emulator's state."""
    return {(d["appid"], d["article_id"]) for d in emulator.snapshot()["deleted_articles"]}


def wait_done(batch, timeout=600):
    deadline = time.monotonic() + timeout
    while Publication.objects.filter(batch=batch).exclude(state__in=FINISHED_STATES).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"batch {batch.pk} not finished after {timeout}s")
        time.sleep(0.05)


def counts(emulator, accounts):
    snapshot = emulator.snapshot()
    calls, published = snapshot["calls"], snapshot["published"]
    n = len(accounts)
    http = sum(sum(calls.get(a.app_id, {}).values()) for a in accounts)
    uploads = sum(calls.get(a.app_id, {}).get("media/uploadimg", 0) for a in accounts) / n
    tokens = sum(calls.get(a.app_id, {}).get("stable_token", 0) for a in accounts) / n
    per_account = [len([p for p in published if p["appid"] == a.app_id]) for a in accounts]
    return http, uploads, tokens, sum(c - 1 for c in per_account if c > 1)


def scenario(label, setup, emulator, n, run_batch):
    accounts = setup.accounts(n, emulator.base_url)
    started = time.perf_counter()
    batch = run_batch(accounts)
    wait_done(batch)
    wall = time.perf_counter() - started
    states = set(batch.publications.values_list("state", flat=True))
    http, uploads, tokens, duplicates = counts(emulator, accounts)
    return {"label": label, "wall": wall, "http": http, "uploads": uploads, "tokens": tokens,
            "duplicates": duplicates, "all_done": states == {State.DONE}}


def with_worker(label, setup, emulator, n, concurrency, pool="prefork"):
    """The scenario with one worker process over Redis (production settings)."""
    purge_broker()
    previous = use_broker(app)
    worker = WorkerProcess(database_url(connection.settings_dict), concurrency=concurrency, fast=False,
                           settings_module=os.environ["DJANGO_SETTINGS_MODULE"], pool=pool).start()
    try:
        return scenario(label, setup, emulator, n, lambda accounts: services.publish_item(
            setup.article, accounts=accounts, origin=PublishBatch.Origin.COMMAND))
    finally:
        worker.stop()
        restore(app, previous)
        purge_broker()


@contextlib.contextmanager
def embedded(concurrency=4):
    """One worker process on the embedded default's filesystem broker (as bin/run starts it)."""
    broker_dir = Path(tempfile.mkdtemp(prefix="cms-bench-broker-"))
    previous = embedded_worker.use_filesystem_broker(app, broker_dir)
    worker = embedded_worker.EmbeddedWorkerProcess(
        database_url(connection.settings_dict), broker_dir, concurrency=concurrency, fast=False,
        settings_module=os.environ["DJANGO_SETTINGS_MODULE"]).start()
    try:
        yield worker
    finally:
        worker.stop()
        embedded_worker.restore(app, previous)
        shutil.rmtree(broker_dir, ignore_errors=True)


def with_embedded_worker(label, setup, emulator, n, concurrency=4):
    with embedded(concurrency):
        return scenario(label, setup, emulator, n, lambda accounts: services.publish_item(
            setup.article, accounts=accounts, origin=PublishBatch.Origin.COMMAND))


def wait_for_bodies(receiver, count, timeout=300):
    deadline = time.monotonic() + timeout
    while len(receiver.bodies) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"the webhook receiver got {len(receiver.bodies)} of {count} deliveries")
        time.sleep(0.05)


class Receiver(ThreadingHTTPServer):
    """Accepts every delivery; keeps the bodies."""

    def __init__(self):
        self.bodies = []
        for port in PORTS:
            try:
                super().__init__(("127.0.0.1", port), self._handler())
                break
            except OSError:
                continue
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler


def webhook_figures(setup, templates):
    receiver = Receiver()
    sms = ChannelAccount.objects.create(code=f"sms-{setup.run}", name="基准短信厅", type=ChannelAccount.Type.SMS,
                                        organisation=setup.org, service_number="10086", signature="【中国移动】")
    # Loaded in bulk and recorded in the change log the way the importer does.
    SmsTemplate.objects.bulk_create(
        SmsTemplate(code=f"T{setup.run}{i:05d}", category="reply", organisation=setup.org, text=f"基准模板{i}",
                    parameters=[], commands=[], live=True)
        for i in range(templates)
    )
    from publishing.changes.services import record_items

    record_items(SmsTemplate, SmsTemplate.objects.filter(code__startswith=f"T{setup.run}"))
    template = SmsTemplate.objects.filter(code__startswith=f"T{setup.run}").first()
    WebhookEndpoint.objects.create(account=sms, url=f"http://127.0.0.1:{receiver.server_address[1]}/hook",
                                   secret=Secret("bench-webhook-secret"))
    started = time.perf_counter()
    services.publish_item(template, origin=PublishBatch.Origin.COMMAND)
    wait_for_bodies(receiver, 1)
    full_wall = time.perf_counter() - started
    changed = SmsTemplate.objects.get(code=f"T{setup.run}00007")
    changed.text = "基准模板7(已修改)"
    changed.save()
    started = time.perf_counter()
    changed.save_revision().publish()
    wait_for_bodies(receiver, 2)
    delta_wall = time.perf_counter() - started
    receiver.shutdown()
    full, delta = (json.loads(body) for body in receiver.bodies[-2:])
    carried = [t["code"] for t in delta["data"]["upserts"].get("smsTemplates", [])]
    return {
        "templates": templates, "full_bytes": len(receiver.bodies[-2]), "delta_bytes": len(receiver.bodies[-1]),
        "full_wall": full_wall, "delta_wall": delta_wall, "carried": carried, "full_type": full["type"],
        "deliveries": Delivery.objects.filter(endpoint__account=sms).count(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--templates", type=int, default=2000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "publishing.md"))
    args = parser.parse_args()
    if os.environ.get("CELERY_BROKER_URL"):
        raise SystemExit("run without CELERY_BROKER_URL: the bench starts its own workers")
    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:6]
    emulator = EmulatorProcess()
    setup = Setup(run)
    images = [jpeg((200, 30, 30), (900, 383))] + [jpeg((40 * i, 90, 160), (1080, 540)) for i in range(BODY_IMAGES)]
    n = args.accounts
    rows = []
    started = time.perf_counter()
    raw_publish(emulator, setup.accounts(n, emulator.base_url), images)
    rows.append({"label": "raw httpx, one account after another (reference)", "wall": time.perf_counter() - started,
                 "http": None, "uploads": BODY_IMAGES, "tokens": 1, "duplicates": 0, "all_done": True})
    rows.append(with_embedded_worker("embedded worker (filesystem broker), 4 threads", setup, emulator, n))
    rows.append(with_worker("one worker, pool 1", setup, emulator, n, 1))
    rows.append(with_worker("one worker, pool 2", setup, emulator, n, 2))
    rows.append(with_worker("one worker, 8 threads", setup, emulator, n, 8, pool="threads"))
    emulator.configure(fault_rate=0.2, expire_token_rate=0.05, seed=7)
    rows.append(with_worker("one worker, 8 threads, 20% busy + expiring tokens", setup, emulator, n, 8,
                            pool="threads"))
    emulator.configure(fault_rate=0.0, expire_token_rate=0.0)
    started = time.perf_counter()
    raw_replace(emulator, setup.accounts(n, emulator.base_url), images)
    edit_reference = time.perf_counter() - started
    edit = edit_converges(setup, emulator, n)
    with embedded():
        hooks = webhook_figures(setup, args.templates)
    emulator.stop()
    setup.cleanup()

    reference = rows[0]["wall"]
    lines = [
        (f"## Push publishing ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, "
         f"`python bench/publishing.py --accounts {n} --templates {args.templates}`)"),
        "",
        (f"One article (cover + {BODY_IMAGES} body images) to {n} official accounts through the WeChat emulator "
         "(its own process; publish jobs finish 300 ms after submit); production settings "
         "(first result poll after 1 s). Ratios against the raw reference of the same run. Under faults the "
         "call counts include the calls WeChat answered -1 or 42001 (a retried upload, a refreshed token)."),
        "",
        ("| scenario | wall s | ratio vs raw | all done | HTTP calls | uploadimg calls / account "
         "| stable_token calls / account | duplicate articles |"),
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        http = "—" if row["http"] is None else str(row["http"])
        lines.append(f"| {row['label']} | {row['wall']:.2f} | {row['wall'] / reference:.2f}x | "
                     f"{'yes' if row['all_done'] else 'NO'} | {http} | {row['uploads']:.1f} | {row['tokens']:.1f} | "
                     f"{row['duplicates']} |")
    lines += [
        "",
        (f"An edit of the article live on {n} accounts, published again with the embedded worker: wall time until "
         "every account shows only the new version (new article_id live in the ledger, the old one deleted on "
         "WeChat with freepublish/delete). Reference: the raw calls of a new version plus the delete, account "
         "after account."),
        "",
        "| edit converges | accounts | wall s | ratio vs raw | only the new version everywhere |",
        "|---|---|---|---|---|",
        (f"| raw httpx: publish new version + freepublish/delete old (reference) | {n} | {edit_reference:.2f} | "
         "1.00x | — |"),
        (f"| platform, embedded worker | {n} | {edit['wall']:.2f} | {edit['wall'] / edit_reference:.2f}x | "
         f"{'yes' if edit['all_done'] else 'NO'} |"),
        "",
        f"Webhooks: an SMS account with {hooks['templates']} published templates.",
        "",
        "| delivery | bytes | ratio vs full bundle | templates carried | wall s (publish to acknowledged) |",
        "|---|---|---|---|---|",
        (f"| first delivery ({hooks['full_type']}) | {hooks['full_bytes']} | 1.00x | {hooks['templates']} | "
         f"{hooks['full_wall']:.2f} |"),
        (f"| after one template changed (delta) | {hooks['delta_bytes']} | "
         f"{hooks['delta_bytes'] / hooks['full_bytes']:.4f}x | {', '.join(hooks['carried'])} | "
         f"{hooks['delta_wall']:.2f} |"),
    ]
    save(lines, args.out)


if __name__ == "__main__":
    main()
