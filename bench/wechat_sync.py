"""Menus converging on 30 official accounts, and the drift check of those accounts,
through the WeChat emulator (its own process, as in bench/publishing.py).

    DATABASE_URL=postgres://... python bench/wechat_sync.py [--accounts 30] [--out bench/results/wechat_sync.md]

Scenarios, each against a reference of the same run (method: docs/benchmarks.md):
  raw push     the HTTP calls a menu change needs on each account, one after the other,
               with httpx and no bookkeeping: token, menu/create, menu/addconditional,
               menu/delconditional of the old brand menu (reference)
  first push   a base menu and a brand variant rolled out to every account by the
               embedded worker (4 threads): the brand's follower tag created on each
  change       the base menu changed and rolled out again: menu/create, the new brand
               menu added, the old one deleted
  raw check    token, menu/get, freepublish/batchget, material/get_materialcount per account
  check        ``wechat_sync check`` of every account (compare and store)
During the pushes a watcher reads the emulator's state every 20 ms and counts accounts
seen without a default menu after they first had one (must be 0)."""

import argparse
import io
import os
import sys
import threading
import time
import uuid
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

import httpx
from django.core.management import call_command

from bench.publishing import EmulatorProcess, Setup, embedded, wait_done
from bench.report import save
from content.models import Brand
from menus import services as menus
from menus.models import Menu
from menus.tree import assign_uids, normalise
from publishing import services
from publishing.models import PublishBatch, State


def tree(*nodes):
    out = normalise([{"brands": [], "hidden": False, "valid": True, "children": [], **n} for n in nodes])
    assign_uids(out, {})
    return out


def base_nodes(label):
    return tree({"key": "1", "name": label, "type": "click", "event_key": "Q"},
                {"key": "2", "name": "客服", "type": "click", "event_key": "S"})


class Watcher(threading.Thread):
    """Counts accounts seen without a default menu after they had one."""

    def __init__(self, emulator, app_ids):
        super().__init__(daemon=True)
        self.emulator, self.app_ids, self.stop = emulator, set(app_ids), threading.Event()
        self.had, self.gaps, self.reads = set(), set(), 0

    def run(self):
        with httpx.Client(timeout=10) as http:
            while not self.stop.is_set():
                held = http.get(f"{self.emulator.base_url}/_emulator/state").json()["menus"]
                self.reads += 1
                for appid in self.app_ids:
                    if held.get(appid, {}).get("menu"):
                        self.had.add(appid)
                    elif appid in self.had:
                        self.gaps.add(appid)
                time.sleep(0.02)


def raw_push(emulator, accounts):
    """The reference: the calls of one menu change, account after account."""
    button = [{"type": "click", "name": "查询", "key": "Q"}]
    with httpx.Client(timeout=10) as http:
        base = emulator.base_url
        for account in accounts:
            token = http.post(f"{base}/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": account.app_id, "secret": "bench-secret"}).json()
            q = {"access_token": token["access_token"]}
            http.post(f"{base}/cgi-bin/menu/create", params=q, json={"button": button})
            old = http.post(f"{base}/cgi-bin/menu/addconditional", params=q,
                            json={"button": button, "matchrule": {"tag_id": "100"}}).json()["menuid"]
            http.post(f"{base}/cgi-bin/menu/addconditional", params=q,
                      json={"button": button * 2, "matchrule": {"tag_id": "100"}})
            http.post(f"{base}/cgi-bin/menu/delconditional", params=q, json={"menuid": old})


def raw_check(emulator, accounts):
    with httpx.Client(timeout=10) as http:
        base = emulator.base_url
        for account in accounts:
            token = http.post(f"{base}/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": account.app_id, "secret": "bench-secret"}).json()
            q = {"access_token": token["access_token"]}
            http.get(f"{base}/cgi-bin/menu/get", params=q)
            http.post(f"{base}/cgi-bin/freepublish/batchget", params=q,
                      json={"offset": 0, "count": 20, "no_content": 1})
            http.get(f"{base}/cgi-bin/material/get_materialcount", params=q)


def latest_batch(menu):
    return PublishBatch.objects.filter(kind=PublishBatch.Kind.MENU, source_code=menu.code).order_by("-pk").first()


def publish_and_wait(menu, worker):
    """Publish the menu (the signal pushes it to its own account) and wait for that push."""
    before = latest_batch(menu)
    version = menus.publish(menu)
    deadline = time.monotonic() + 300
    while latest_batch(menu) == before:
        if time.monotonic() > deadline:
            raise SystemExit(f"no push of {menu.code}; the worker's log ends:\n{worker.log()[-3000:]}")
        time.sleep(0.05)
    wait_done(latest_batch(menu))
    return version


def rollout(label, emulator, version, accounts, reference):
    calls_before = emulator.snapshot()["calls"]
    watcher = Watcher(emulator, [a.app_id for a in accounts])
    watcher.start()
    started = time.perf_counter()
    batch = services.publish_menu_version(version, accounts=accounts, origin=PublishBatch.Origin.COMMAND)
    try:
        wait_done(batch, timeout=180)
    except SystemExit:
        stuck = batch.publications.exclude(state=State.DONE).values_list("account__code", "state", "step", "last_error")
        raise SystemExit(f"{label}: not done after 180 s: {list(stuck)[:5]}") from None
    wall = time.perf_counter() - started
    watcher.stop.set()
    watcher.join()
    calls = emulator.snapshot()["calls"]

    def delta(endpoint):
        return sum(calls.get(a.app_id, {}).get(endpoint, 0) - calls_before.get(a.app_id, {}).get(endpoint, 0)
                   for a in accounts)

    states = set(batch.publications.values_list("state", flat=True))
    return {"label": label, "wall": wall, "ratio": wall / reference, "done": states == {State.DONE},
            "gaps": len(watcher.gaps), "reads": watcher.reads,
            "calls": " / ".join(str(delta(e)) for e in ("tags/create", "menu/create", "menu/addconditional",
                                                         "menu/delconditional", "menu/delete"))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "wechat_sync.md"))
    args = parser.parse_args()
    if os.environ.get("CELERY_BROKER_URL"):
        raise SystemExit("run without CELERY_BROKER_URL: the bench starts its own worker")
    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:6]
    emulator = EmulatorProcess()
    setup = Setup(run)
    n = args.accounts
    brand, _ = Brand.objects.get_or_create(code="gotone", defaults={"name": "全球通"})
    try:
        raw_accounts = setup.accounts(n, emulator.base_url)
        started = time.perf_counter()
        raw_push(emulator, raw_accounts)
        push_reference = time.perf_counter() - started
        accounts = setup.accounts(n, emulator.base_url)
        rows = []
        with embedded() as worker:
            base = Menu.objects.create(code=f"bench-{run}", name="基准菜单", account=accounts[0])
            menus.replace_draft(base, base_nodes("查询"))
            publish_and_wait(base, worker)
            variant = Menu.objects.create(code=f"bench-{run}-b", name="基准品牌菜单", account=accounts[0], brand=brand)
            menus.replace_draft(variant, tree({"key": "2", "name": "专属客服", "type": "click", "event_key": "B"}))
            version = publish_and_wait(variant, worker)
            rows.append(rollout("first push: base + brand menu, tags created", emulator, version, accounts,
                                push_reference))
            menus.replace_draft(base, base_nodes("查询办理"))
            version = publish_and_wait(base, worker)
            rows.append(rollout("change: menu/create, brand menu added then old deleted", emulator, version,
                                accounts, push_reference))
        started = time.perf_counter()
        raw_check(emulator, accounts)
        check_reference = time.perf_counter() - started
        started = time.perf_counter()
        out = io.StringIO()
        try:
            with redirect_stdout(out):
                call_command("wechat_sync", "check", *[arg for a in accounts for arg in ("--account", a.code)])
            exit_code = 0
        except SystemExit as exc:
            exit_code = exc.code
        check_wall = time.perf_counter() - started
    finally:
        Menu.objects.filter(account__organisation=setup.org).delete()
        emulator.stop()
        setup.cleanup()

    lines = [
        (f"## WeChat menus and drift check ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, "
         f"`python bench/wechat_sync.py --accounts {n}`)"),
        "",
        (f"A menu change on {n} official accounts through the WeChat emulator (its own process), pushed by the "
         "embedded worker (filesystem broker, 4 threads, production settings), against the raw HTTP calls of the "
         "same change made account after account; then `wechat_sync check` of the same accounts against the raw "
         "reads. Gaps: accounts the watcher saw without a default menu after they had one."),
        "",
        ("| scenario | wall s | ratio vs raw | all done | gaps | calls: tags/create / menu/create / addconditional "
         "/ delconditional / menu/delete |"),
        "|---|---|---|---|---|---|",
        (f"| raw httpx menu change, one account after another (reference) | {push_reference:.2f} | 1.00x | yes | — "
         f"| 0 / {n} / {2 * n} / {n} / 0 |"),
    ]
    for row in rows:
        lines.append(f"| {row['label']} | {row['wall']:.2f} | {row['ratio']:.2f}x | "
                     f"{'yes' if row['done'] else 'NO'} | {row['gaps']} ({row['reads']} reads) | {row['calls']} |")
    lines += [
        "",
        "| check | accounts | wall s | ratio vs raw | exit code |",
        "|---|---|---|---|---|",
        f"| raw httpx reads (reference) | {n} | {check_reference:.2f} | 1.00x | — |",
        f"| `wechat_sync check` | {n} | {check_wall:.2f} | {check_wall / check_reference:.2f}x | {exit_code} |",
    ]
    save(lines, args.out)


if __name__ == "__main__":
    main()
