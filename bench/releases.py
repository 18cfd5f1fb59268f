"""Release lead time (issue #18, Speed), end to end on the full-scale data with one worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench python bench/releases.py \
        [--ahead 60] [--beat-seconds 60] [--export DIR] [--keep] [--out bench/results/releases.md]

Works in its own database (DATABASE_URL's name + ``_releases``, dropped, migrated and
loaded with the full export first, dropped again at the end unless ``--keep``; with
``--keep`` a later run reuses it). One ``celery worker`` (8 threads) and beat over Redis
(``TEST_CELERY_BROKER_URL``), the WeChat emulator in its own process, the 30 official
accounts pointed at it, and a webhook receiver for the SMS gateway (account sms-10086).

The province's WeChat menu (menu-wx-sx) is rolled out to the 29 other official accounts
(menus.rollout) and 3 province articles are shared down to every organisation owning an
official account, so each of the 30 accounts carries the menu and the 3 articles.
Phases, each an edit of the same items:
  setup      a first edit of every item published directly (not timed): every account
             holds the articles and the menu, the gateway the full bundle
  reference  the same edits published directly, without a release (each item's publish,
             ``menus.publish``): the pushes a release must at least make
  release    ``release create/add`` of 1 package, 3 articles, 2 menus (sms-main, menu-wx-sx)
             and 10 SMS templates, ``release publish --at`` now + ``--ahead`` seconds
  rollback   ``release rollback``: the accounts must show the reference edit again
Reported per phase, from the scheduled time (the command's time for the reference and the
rollback): go-live committed (beat lag), the SMS gateway's webhook received the bundle
version holding it, each official account shows the menu and the 3 articles (p50 and max,
read from the emulator's state every 100 ms; an account counts once the new articles are
published there and the previous ones deleted)."""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
from bench import databases

SERVER, BENCH_NAME = databases.own("bench/releases.py", "_releases")
# Django connects to the bench's own database from here on (and so does the worker).
os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_NAME}"

ARGS = None
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ahead",
        type=float,
        default=60.0,
        help="seconds between `release publish --at` and the time",
    )
    parser.add_argument(
        "--beat-seconds",
        type=float,
        default=None,
        help="CONTENT_PUBLISH_SCHEDULED_SECONDS for beat (default: the product's setting)",
    )
    parser.add_argument(
        "--export",
        default=os.environ.get("BENCH_EXPORT", str(ROOT / "var" / "bench-export-full")),
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep (and reuse) the bench database"
    )
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--out", default=str(ROOT / "bench" / "results" / "releases.md")
    )
    ARGS = parser.parse_args()
    if os.environ.get("CELERY_BROKER_URL"):
        raise SystemExit(
            "run without CELERY_BROKER_URL: the bench starts its own worker"
        )
    databases.create(SERVER, BENCH_NAME, fresh=not ARGS.keep)

import django

django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from bench.graphql_api_server.load import load
from bench.publishing import EmulatorProcess
from bench.report import save
from cms.celery import app
from content.models import Article, ChannelAccount, Organisation, Package, SmsTemplate
from content.secrets import Secret
from content.services.accounts import set_secret
from harness.export import make_export
from harness.worker import (
    WorkerProcess,
    database_url,
    purge_broker,
    restore,
    use_broker,
)
from menus import rollout
from menus import services as menus
from menus.models import Menu
from menus.tree import draft_tree, walk
from publishing.changes.services import current_version
from publishing.models import WebhookEndpoint
from releases.models import Release

OFFICIAL = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
WECHAT_MENU, SMS_MENU, SMS_ACCOUNT = "menu-wx-sx", "sms-main", "sms-10086"
LEAF = "积分查询"  # the WeChat menu's leaf each phase renames (its tag tells the phases apart)


class Receiver(ThreadingHTTPServer):
    """The SMS gateway: acknowledges every delivery, keeps (arrival time, bundle version)."""

    def __init__(self):
        self.arrivals = []
        super().__init__(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.arrivals.append((time.time(), json.loads(body)["version"]))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler

    def first_holding(self, version, after):
        """Arrival time of the first delivery after ``after`` carrying ``version`` or later."""
        return next(
            (at for at, v in list(self.arrivals) if at >= after and int(v) >= version),
            None,
        )


class Scene:
    """The items of the release, their accounts, and the edit each phase makes."""

    def __init__(self, emulator, receiver, run):
        self.run = run
        self.user = get_user_model().objects.filter(
            is_superuser=True
        ).first() or get_user_model().objects.create_superuser(
            "bench-releases", "bench@example.com", "bench-releases"
        )
        self.accounts = list(
            ChannelAccount.objects.filter(type=OFFICIAL).order_by("code")
        )
        for account in self.accounts:
            account.api_base_url = emulator.base_url
            account.save(update_fields=["api_base_url"])
            set_secret(account, "app_secret", "bench-secret")
        self.sms = ChannelAccount.objects.get(code=SMS_ACCOUNT)
        WebhookEndpoint.objects.filter(account=self.sms).delete()
        WebhookEndpoint.objects.create(
            account=self.sms, url=receiver.url, secret=Secret("bench-webhook-secret")
        )
        province = Organisation.objects.get(level="province")
        self.articles = list(
            Article.objects.filter(
                organisation=province, live=True, channels__contains=[OFFICIAL]
            ).order_by("code")[:3]
        )
        owners = Organisation.objects.filter(
            pk__in=[a.organisation_id for a in self.accounts]
        ).exclude(pk=province.pk)
        for article in self.articles:
            article.shared_to.set(owners)
        self.package = (
            Package.objects.filter(organisation=province, live=True)
            .order_by("code")
            .first()
        )
        self.templates = list(
            SmsTemplate.objects.filter(organisation=province, live=True).order_by(
                "code"
            )[:10]
        )
        self.wechat_menu = Menu.objects.get(code=WECHAT_MENU)
        self.sms_menu = Menu.objects.get(code=SMS_MENU)
        others = [a for a in self.accounts if a.pk != self.wechat_menu.account_id]
        rollout.choose(self.wechat_menu, others, self.user)
        self.originals = {
            "titles": {a.pk: a.title for a in self.articles},
            "package": self.package.name,
            "texts": {t.pk: t.text for t in self.templates},
        }

    def tag(self, phase):
        return f"{self.run}{phase}"

    def article_title(self, index, phase):
        return f"{self.tag(phase)}{index} {self.originals['titles'][self.articles[index].pk]}"[
            :30
        ]

    def edit(self, phase):
        """Draft this phase's edit of every item (nothing published). Returns the drafts."""
        tag = self.tag(phase)
        drafts = []
        for index, article in enumerate(self.articles):
            article.refresh_from_db()
            article.title = self.article_title(index, phase)
            article.save_revision(user=self.user)
            drafts.append(article)
        self.package.refresh_from_db()
        self.package.name = f"{self.originals['package'][:40]}{tag}"
        self.package.save_revision(user=self.user)
        drafts.append(self.package)
        for template in self.templates:
            template.refresh_from_db()
            template.text = f"{self.originals['texts'][template.pk]}{tag}"
            template.save_revision(user=self.user)
            drafts.append(template)
        self._rename(self.wechat_menu, LEAF, f"积分{tag}")
        nodes = draft_tree(self.sms_menu)
        leaf = next(node for node, _, _ in walk(nodes) if not node.get("children"))
        self._rename(
            self.sms_menu, leaf["name"], f"{leaf['name'][:2]}{phase}", nodes=nodes
        )
        return drafts

    def _rename(self, menu, start, new, nodes=None):
        nodes = nodes if nodes is not None else draft_tree(menu)
        node = next(
            node
            for node, _, _ in walk(nodes)
            if node["name"].startswith(start[:2]) and not node.get("children")
        )
        node["name"] = new
        menus.replace_draft(menu, nodes)

    def release_refs(self):
        return [
            *(f"article:{a.code}" for a in self.articles),
            f"package:{self.package.code}",
            *(f"sms_template:{t.code}" for t in self.templates),
            f"menu:{SMS_MENU}",
            f"menu:{WECHAT_MENU}",
        ]

    def converged(self, state, phase, previous):
        """{appid} of the accounts showing this phase's menu and articles, the previous gone."""
        titles = {}
        for published in state["published"]:
            titles.setdefault(published["appid"], []).extend(published["titles"])
        want = [f"{self.tag(phase)}{i} " for i in range(len(self.articles))]
        gone = (
            [f"{self.tag(previous)}{i} " for i in range(len(self.articles))]
            if previous
            else []
        )
        marker = f"积分{self.tag(phase)}"
        done = set()
        for account in self.accounts:
            held = titles.get(account.app_id, [])
            menu = json.dumps(
                state["menus"].get(account.app_id, {}).get("menu") or {},
                ensure_ascii=False,
            )
            if (
                all(any(t.startswith(w) for t in held) for w in want)
                and not any(t.startswith(g) for g in gone for t in held)
                and marker in menu
            ):
                done.add(account.app_id)
        return done


def watch(emulator, scene, phase, previous, timeout):
    """{appid: wall-clock time first seen converged}, polling the emulator every 100 ms."""
    seen = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(scene.accounts):
        if time.monotonic() > deadline:
            missing = sorted({a.app_id for a in scene.accounts} - set(seen))
            raise SystemExit(
                f"phase {phase}: {len(missing)} accounts not converged after {timeout:.0f} s: {missing[:5]}"
            )
        now = time.time()
        for appid in scene.converged(emulator.snapshot(), phase, previous):
            seen.setdefault(appid, now)
        time.sleep(0.1)
    return seen


def wait_webhook(receiver, version, after, timeout):
    deadline = time.monotonic() + timeout
    while (at := receiver.first_holding(version, after)) is None:
        if time.monotonic() > deadline:
            raise SystemExit(
                f"no webhook delivery of version {version} after {timeout:.0f} s"
            )
        time.sleep(0.05)
    return at


def figures(label, start, committed, webhook, seen):
    lags = sorted(at - start for at in seen.values())
    return {
        "label": label,
        "commit": committed - start,
        "webhook": webhook - start,
        "p50": statistics.median(lags),
        "max": lags[-1],
        "accounts": len(lags),
    }


def direct(emulator, receiver, scene, phase, previous, timeout):
    """``phase``'s edits published item by item, without a release (the setup, untimed, and
    the reference): each item's own publish, ``menus.publish`` of each menu."""
    drafts = scene.edit(phase)
    start = time.time()
    for item in drafts:
        item.latest_revision.publish(user=scene.user)
    for menu in (scene.sms_menu, scene.wechat_menu):
        menus.publish(menu, user=scene.user)
    committed = time.time()
    seen = watch(emulator, scene, phase, previous, timeout)
    webhook = wait_webhook(receiver, current_version(scene.sms), start, timeout)
    return figures(
        "reference: the same edits published directly, no release",
        start,
        committed,
        webhook,
        seen,
    )


def release_phase(emulator, receiver, scene, ahead, timeout):
    code = f"BENCH-{scene.run}"
    scene.edit("g")
    call_command(
        "release",
        "create",
        code,
        "--title",
        f"基准上线计划 {scene.run}",
        "--organisation",
        "SX",
    )
    call_command("release", "add", code, *scene.release_refs())
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=ahead + 1)
    call_command("release", "publish", code, "--at", at.isoformat())
    start = at.timestamp()
    seen = watch(emulator, scene, "g", "r", timeout + ahead)
    release = Release.objects.get(code=code)
    if release.went_live_at is None:
        raise SystemExit(f"release {code} is {release.state}: {release.problem}")
    webhook = wait_webhook(receiver, current_version(scene.sms), start, timeout)
    go_live = figures(
        f"release `{code}` scheduled {ahead:.0f} s ahead",
        start,
        release.went_live_at.timestamp(),
        webhook,
        seen,
    )
    start = time.time()
    call_command("release", "rollback", code)
    # Back to the reference edit: its articles published again, the release's deleted.
    seen = watch(emulator, scene, "r", "g", timeout)
    release.refresh_from_db()
    if release.rolled_back_at is None:
        raise SystemExit(f"release {code} is {release.state}: {release.problem}")
    webhook = wait_webhook(receiver, current_version(scene.sms), start, timeout)
    back = figures(
        f"`release rollback {code}`",
        start,
        release.rolled_back_at.timestamp(),
        webhook,
        seen,
    )
    return go_live, back


def main(args):
    export = make_export(args.export, "full")
    call_command("migrate", verbosity=0)
    how = load(export)
    run = f"{int(time.time()) % 100000:05d}"
    beat = (
        args.beat_seconds
        if args.beat_seconds is not None
        else settings.CONTENT_PUBLISH_SCHEDULED_SECONDS
    )
    emulator = EmulatorProcess()
    receiver = Receiver()
    purge_broker()
    previous = use_broker(app)
    worker = WorkerProcess(
        database_url(connection.settings_dict),
        concurrency=8,
        pool="threads",
        fast=False,
        settings_module=os.environ["DJANGO_SETTINGS_MODULE"],
        extra_env={"CONTENT_PUBLISH_SCHEDULED_SECONDS": str(beat)},
    ).start()
    load_before = os.getloadavg()
    try:
        scene = Scene(emulator, receiver, run)
        direct(
            emulator, receiver, scene, "0", None, args.timeout
        )  # setup: every account holds phase 0
        reference = direct(emulator, receiver, scene, "r", "0", args.timeout)
        go_live, back = release_phase(
            emulator, receiver, scene, args.ahead, args.timeout
        )
    except BaseException:
        print(worker.log()[-4000:], file=sys.stderr)
        raise
    finally:
        load_after = os.getloadavg()
        worker.stop()
        restore(app, previous)
        purge_broker()
        receiver.shutdown()
        emulator.stop()
        connection.close()
        if not args.keep:
            databases.drop(SERVER, BENCH_NAME)
    write(args, how, beat, reference, go_live, back, load_before, load_after)


NOTES = [
    (
        "How the go-live meets its time (docs/releases.md, \"What is checked when\" and \"On time\"): the release's "
        "checks run in full when it is approved and the tables they read are stamped (releases.stamp); when it comes "
        "due and inside the go-live transaction they run again only if the stamp moved (on this data the full checks "
        "are ~480 queries and ~0.5 s of CPU, the stamp one query). An on-time job armed with beat's runs "
        "(`RELEASES_PREPARE_SECONDS`, 5 s) publishes every item in the go-live's one transaction ahead of the time, "
        "waits, and at the time publishes the release's schedule, takes the writer lock, records the change rows and "
        "commits. The SMS gateway's delivery is queued on commit; the WeChat fan-out starts 1 s later."
    ),
    (
        "In-process, on this data (CPU ms / SQL statements, loaded machine): the run at the time of an unchanged "
        "release 565/669 before, 46/38 after; the go-live transaction 770/923 before, ~650/733 after (its menus not "
        "checked again); the rollback's transaction 929 statements before, 750 after (menu checks read brands and "
        "mini-programs once per pass, not once per account and tree: menus.lookups)."
    ),
    (
        "Tried and left: the Wagtail publish of the 14 items (~350 ms CPU: revisions deserialised, rows saved, search "
        "index updated inline by django_tasks' immediate backend, log entries, SMS command bindings) is the bulk of "
        "the go-live transaction; it is done before the time instead of being made cheaper. A finer stamp (rows "
        "rather than tables) would let the due-time run skip the checks on a busy day too; not needed for the "
        "lead time now that the checks run ahead of the time."
    ),
]


def write(args, how, beat, reference, go_live, back, load_before, load_after):
    command = f"python bench/releases.py --ahead {args.ahead:g}" + (
        f" --beat-seconds {args.beat_seconds:g}"
        if args.beat_seconds is not None
        else ""
    )
    lines = [
        f"## Release lead time ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, `{command}`)",
        "",
        (
            "A release of 1 package, 3 articles, 2 menus (the SMS menu sms-main and the province WeChat menu "
            "menu-wx-sx rolled out to all 30 official accounts) and 10 SMS templates, on the full-scale data "
            f"({how}), one worker (8 threads) with beat running `content.publish_scheduled` every {beat:g} s "
            "(`CONTENT_PUBLISH_SCHEDULED_SECONDS`), the WeChat emulator in its own process (publish jobs finish "
            "300 ms after submit), the SMS gateway a webhook receiver. Seconds from the scheduled time (the "
            "command's time for the reference and the rollback) until: the go-live (or rollback) transaction "
            "committed; the gateway received a delivery holding the account's new bundle version; each official "
            "account shows the new menu and the 3 new articles, the previous ones deleted (emulator state read "
            "every 100 ms). Ratios against the reference of the same run: the same edits published item by item "
            f"without a release. Load average (1/5/15 min) {load_before[0]:.2f}/{load_before[1]:.2f}/"
            f"{load_before[2]:.2f} before, {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} after."
        ),
        "",
        (
            "| phase | committed s | SMS webhook s | accounts | all accounts p50 s | max s | max vs reference | "
            "targets (webhook ≤ 5 s, accounts ≤ 60 s) |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in (reference, go_live, back):
        met = (
            "—"
            if row is reference
            else (
                f"{'yes' if row['webhook'] <= 5 else 'NO'} / {'yes' if row['max'] <= 60 else 'NO'}"
            )
        )
        lines.append(
            f"| {row['label']} | {row['commit']:.2f} | {row['webhook']:.2f} | {row['accounts']} | "
            f"{row['p50']:.2f} | {row['max']:.2f} | {row['max'] / reference['max']:.2f}x | {met} |"
        )
    lines += ["", *(f"- {note}" for note in NOTES)]
    save(lines, args.out)


if __name__ == "__main__":
    main(ARGS)
