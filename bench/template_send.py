"""Template messages sent through the platform's queue: the sustained rate per
official account against WeChat's documented rate and the account's pace, and
duplicates under lost answers (see docs/benchmarks.md, Method).

    DATABASE_URL=postgres://... python bench/template_send.py [--sends 500] [--workers 4] [--out bench/results/template_send.md]

Scenarios, on one account of the in-process emulator:
  raw      httpx posts to message/template/send with one token, nothing recorded (the
           emulator's ceiling: the reference)
  paced    every send accepted by ``notices.sending.accept`` (the sender API's checks and
           row) and delivered by ``notices.delivery.deliver`` on N worker threads
           standing in for Celery workers, paced at NOTICES_SENDS_PER_SECOND
  faults   the same with 5% busy answers and 5% lost answers (the emulator commits the
           message, then drops the connection): duplicates counted per client_msg_id
The jobs' queue is a heap in this process (due time, send id) served by the worker
threads; the code each job runs is the production one. Needs a migrated database."""

import argparse
import heapq
import os
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

import httpx
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.report import save
from content.models import (
    ChannelAccount,
    Organisation,
    TemplateMessage,
    TemplateMessageMapping,
)
from content.services.accounts import set_secret
from notices import binding
from notices.models import Send
from notices.sending import Request, accept
from publishing.services import dispatch
from wechat.emulator import EmulatorServer

# WeChat documents a daily quota of 100,000 template messages per account (45009 beyond).
WECHAT_DAILY_QUOTA = 100_000
FIELDS = [
    {"key": "thing1", "label": "账单月份", "type": "thing"},
    {"key": "amount2", "label": "应缴金额", "type": "amount"},
]
VALUES = {"thing1": "2025年5月账单", "amount2": "58.00元"}


class Jobs:
    """The bench's broker: jobs due at a time, taken by worker threads."""

    def __init__(self):
        self.heap, self.cond, self.seq, self.busy, self.stopped = [], threading.Condition(), 0, 0, False

    def send_many(self, task, args_list, delay=0.0):
        with self.cond:
            for args in args_list:
                self.seq += 1
                heapq.heappush(self.heap, (time.monotonic() + float(delay or 0), self.seq, task, tuple(args)))
            self.cond.notify_all()

    def work(self):
        while True:
            with self.cond:
                while not self.stopped and (not self.heap or self.heap[0][0] > time.monotonic()):
                    self.cond.wait(timeout=0.01 if self.heap else 0.1)
                if self.stopped:
                    break
                _due, _n, task, args = heapq.heappop(self.heap)
                self.busy += 1
            try:
                task.run(*args)
            finally:
                with self.cond:
                    self.busy -= 1
        connection.close()

    def idle(self):
        with self.cond:
            return not self.heap and not self.busy


def setup(base_url):
    org, _ = Organisation.objects.get_or_create(
        code="BENCH-TPL", defaults={"name": "模板消息基准", "level": "province"}
    )
    account, _ = ChannelAccount.objects.update_or_create(
        code="wx-bench-tpl",
        defaults={
            "name": "基准公众号",
            "organisation": org,
            "app_id": f"wxbench{uuid.uuid4().hex[:10]}",
            "type": ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT,
            "api_base_url": base_url,
            "enabled": True,
        },
    )
    set_secret(account, "app_secret", "bench-secret")
    definition, _ = TemplateMessage.objects.update_or_create(
        code="bench_bill",
        defaults={
            "title": "账单提醒",
            "organisation": org,
            "template_id_short": "OPENTM200654400",
            "fields": FIELDS,
            "live": True,
        },
    )
    TemplateMessageMapping.objects.update_or_create(definition=definition, account=account, defaults={})
    print("bound:", binding.bind_definition(definition.pk))
    return account


def raw(base, app_id, template_id, n):
    with httpx.Client(timeout=10) as http:
        token = http.post(
            f"{base}/cgi-bin/stable_token",
            json={"grant_type": "client_credential", "appid": app_id, "secret": "bench-secret"},
        ).json()["access_token"]
        started = time.perf_counter()
        for i in range(n):
            http.post(
                f"{base}/cgi-bin/message/template/send",
                params={"access_token": token},
                json={
                    "touser": f"oRaw{i:024d}",
                    "template_id": template_id,
                    "data": {k: {"value": v} for k, v in VALUES.items()},
                    "client_msg_id": f"raw-{i}",
                },
            )
        return time.perf_counter() - started


def queued(account, n, run, jobs, workers):
    """Accept n sends (the API's work), then let the workers deliver them: (accept s, SQL per
    accept, delivery s). Delivery is timed apart so the rate is the queue's, not the caller's."""
    jobs.stopped = False
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for i in range(n):
            accept(
                Request(definition="bench_bill", account=account.code, openid=f"o{run}{i:020d}", values=VALUES,
                        client_msg_id=f"{run}-{i}"),
                allowed_account_ids=[account.pk], caller="bench",
            )
    accepted = time.perf_counter() - started
    threads = [threading.Thread(target=jobs.work, daemon=True) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while not jobs.idle():
        time.sleep(0.01)
    delivered = time.perf_counter() - started
    with jobs.cond:
        jobs.stopped = True
        jobs.cond.notify_all()
    for thread in threads:
        thread.join()
    return accepted, len(queries) / n, delivered


def window_peak(stamps):
    """The most messages the account sent within one second."""
    return max(Counter(int(s) for s in stamps).values()) if stamps else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "bench/results/template_send.md"))
    args = parser.parse_args()
    jobs = Jobs()
    dispatch.send_many = jobs.send_many
    server = EmulatorServer("127.0.0.1", 0)
    server.start()
    state = server.state
    state.configure(template_event_delay_ms=10_000_000)  # no callback here: the events are not measured
    account = setup(server.base_url)
    template_id = TemplateMessageMapping.objects.get(account=account).wechat_template_id
    pace = settings.NOTICES_SENDS_PER_SECOND
    rows, accepts = [], []

    raw_wall = raw(server.base_url, account.app_id, template_id, args.sends)
    rows.append(("raw httpx (reference)", args.sends, raw_wall, args.sends / raw_wall, "-", "-", 0))

    for label, config in (
        ("paced, no faults", {}),
        ("paced, 5% busy + 5% lost answers", {"fault_rate": 0.05, "lose_response_rate": 0.05, "seed": 7}),
    ):
        state.configure(**config)
        run = uuid.uuid4().hex[:6]
        before = len(state.messages)
        accepted, sql, wall = queued(account, args.sends, run, jobs, args.workers)
        state.configure(fault_rate=0.0, lose_response_rate=0.0)
        ours = [m for m in state.messages[before:] if m["touser"].startswith(f"o{run}")]
        per_send = Counter(m["client_msg_id"] for m in ours)
        duplicates = sum(c - 1 for c in per_send.values())
        sends = Send.objects.filter(account=account, client_msg_id__startswith=f"{run}-")
        states = Counter(sends.values_list("state", flat=True))
        stamps = sorted(m["at"] for m in ours)
        rate = len(ours) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
        rows.append((label, args.sends, wall, rate, window_peak(stamps), dict(states), duplicates))
        accepts.append((label, args.sends / accepted, sql))
        print(label, f"accepted in {accepted:.2f}s", rows[-1], "dropped answers:", state.dropped)

    server.stop()
    day_rate = WECHAT_DAILY_QUOTA / 86400
    lines = [
        f"# Template messages sent (`python bench/template_send.py --sends {args.sends} --workers {args.workers}`)",
        "",
        (
            f"One official account on the in-process emulator; {args.workers} worker threads run the production "
            f"delivery job (`notices.delivery.deliver`) on sends accepted by the sender API's service "
            f"(`notices.sending.accept`). Pace: NOTICES_SENDS_PER_SECOND = {pace}. WeChat documents a daily quota "
            f"of {WECHAT_DAILY_QUOTA:,} template messages per account, {day_rate:.2f}/s averaged over a day, and no "
            "per-second figure; the pace is what keeps a billing run inside it without 45011 bursts."
        ),
        "",
        "Delivery (the queue's work, timed from the first job to the last):",
        "",
        "| scenario | sends | wall s | sustained msg/s | peak msg in one second | final states | duplicates |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, n, wall, rate, peak, states, duplicates in rows:
        lines.append(f"| {label} | {n} | {wall:.2f} | {rate:.1f} | {peak} | {states} | {duplicates} |")
    lines += ["", "Acceptance (the sender API's checks and row, one caller in sequence):", "",
              "| scenario | accepts/s | SQL per accept |", "|---|---|---|"]
    lines += [f"| {label} | {rate:.1f} | {sql:.1f} |" for label, rate, sql in accepts]
    lines += [
        "",
        (
            f"Ratio of the sustained paced rate to the pace: {rows[1][3] / pace:.2f}; to WeChat's daily average: "
            f"{rows[1][3] / day_rate:.0f}x (a day's quota lasts {WECHAT_DAILY_QUOTA / max(rows[1][3], 0.01) / 60:.0f} "
            "minutes at this rate, then 45009 pauses the account until midnight Beijing time)."
        ),
        f"Duplicates under lost answers: {rows[2][6]} (every retry carries the send's own client_msg_id).",
        "The peak counts the emulator's clock: a slot taken at the end of one second may be sent early in the next.",
    ]
    save(lines, args.out)


if __name__ == "__main__":
    main()
