"""Benchmark of menus on the full legacy export's SMS menu (about 2,000 nodes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms python bench/menus.py [--repeat 5] [--out bench/results/menus.md]

Runs inside one transaction that is rolled back, so the database is left as it
was (it must be migrated). Each figure is the median of --repeat runs, shown in
milliseconds and as a ratio to the reference of the same run: loading the draft
tree in bulk (one query). The naive node-by-node load is measured alongside.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

import logging

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.report import save
from content.models import ChannelAccount
from harness.export import make_export, read
from harness.sample import load_references
from importing.menu_records import import_menu
from menus import editing
from menus.models import Menu, MenuNode, MenuVersion
from menus.services import diff_versions, publish, published_tree
from menus.simulator import simulate
from menus.tree import build_tree, load_rows
from menus.validation import validate_draft

logging.disable(logging.INFO)
BUDGET_MS = 1000


def measure(fn, repeat):
    """(median ms, queries of one run, peak KiB of one run, result)."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        fn()
    peak = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return statistics.median(times), len(queries.captured_queries), peak, result


def node_by_node(menu):
    """The naive load: each node asks for its children."""

    def children(parent):
        return [{"key": n.key, "name": n.name, "children": children(n)}
                for n in MenuNode.objects.filter(menu=menu, parent=parent).order_by("order", "id")]

    return children(None)


def edit_a_few(menu):
    """Ten renames, a move and a hide: the kind of change a publish carries."""
    rows = list(MenuNode.objects.filter(menu=menu).order_by("id")[:40])
    for row in rows[:10]:
        editing.update_node(menu, row.pk, {"name": row.name + "(新)"})
    leaves = [r for r in rows if r.type == "command"]
    editing.set_hidden(menu, leaves[0].pk, True)
    submenus = [r for r in rows if r.type == "submenu"]
    editing.move_node(menu, leaves[1].pk, parent_id=submenus[-1].pk, position=0)


def run(repeat, export_dir):
    export = read(make_export(export_dir, "full"))
    record = next(m for m in export["menus"] if m["channel"] == "sms")
    figures = []
    with transaction.atomic():
        start = time.perf_counter()
        load_references(export)
        setup_ms = (time.perf_counter() - start) * 1000
        Menu.objects.filter(code=record["code"]).delete()
        account = ChannelAccount.objects.get(code=record["account"])
        Menu.objects.filter(account=account).delete()

        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            import_menu(record)
        figures.append(("import, created (validate, write 2,000 rows, publish v1)",
                        (time.perf_counter() - start) * 1000, len(queries.captured_queries), None))
        menu = Menu.objects.get(code=record["code"])
        nodes = menu.nodes.count()

        ms, q, kib, _ = measure(lambda: import_menu(record), repeat)
        figures.append(("re-import, unchanged", ms, q, kib))

        reference, ref_q, ref_kib, _ = measure(lambda: build_tree(load_rows(menu)), repeat)
        naive, naive_q, naive_kib, _ = measure(lambda: node_by_node(menu), max(1, repeat // 2))
        figures.append(("R: draft tree load, bulk (reference)", reference, ref_q, ref_kib))
        figures.append(("draft tree load, node by node", naive, naive_q, naive_kib))

        ms, q, kib, errors = measure(lambda: validate_draft(menu), repeat)
        figures.append((f"validate the draft ({len(errors)} violations)", ms, q, kib))

        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create(username="bench-menus", is_superuser=True, is_staff=True)
        client = Client()
        client.force_login(user)
        url = reverse("menus_admin:tree_editor", args=[menu.pk])
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        ms, q, kib, _ = measure(lambda: client.get(url), repeat)
        figures.append((f"editor page, server side ({len(response.content) // 1024} KiB)", ms, q, kib))

        edit_a_few(menu)
        ms, q, kib, version = measure(lambda: publish(menu, user, comment="bench"), repeat)
        figures.append(("publish a version", ms, q, kib))

        previous = MenuVersion.objects.get(menu=menu, number=1)
        latest = MenuVersion.objects.get(menu=menu, number=version.number)
        ms, q, kib, diff = measure(lambda: diff_versions(previous, latest), repeat)
        figures.append((f"diff v1 and v{latest.number}, in memory ({len(diff)} changes)", ms, q, kib))
        ms, q, kib, _ = measure(lambda: diff_versions(MenuVersion.objects.get(pk=previous.pk),
                                                      MenuVersion.objects.get(pk=latest.pk)), repeat)
        figures.append(("diff two versions, loaded from the database", ms, q, kib))

        floor, floor_q, floor_kib, _ = measure(
            lambda: MenuVersion.objects.filter(pk=latest.pk).values_list("tree", flat=True)[0], repeat)
        figures.append(("live version JSON read alone (floor)", floor, floor_q, floor_kib))
        ms, q, kib, _ = measure(lambda: published_tree(account, "gotone"), repeat)
        figures.append(("published_tree(account, brand)", ms, q, kib))
        ms, q, kib, _ = measure(lambda: simulate(account, "gotone", ["1", "1", "1", "0", "C112"]), repeat)
        figures.append(("simulate 1, 1, 1, 0, C112", ms, q, kib))
        transaction.set_rollback(True)
    return figures, reference, nodes, setup_ms


def table(figures, reference):
    lines = ["| step | ms (median) | × R | SQL queries | peak KiB | under 1 s |", "|---|---:|---:|---:|---:|:---:|"]
    for name, ms, queries, kib in figures:
        lines.append(f"| {name} | {ms:.1f} | {ms / reference:.1f} | {queries} | "
                     f"{'' if kib is None else f'{kib:.0f}'} | {'yes' if ms < BUDGET_MS else 'NO'} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--export", default="/tmp/menus-full", help="folder of the full legacy export (made if missing)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "menus.md"))
    args = parser.parse_args()
    figures, reference, nodes, setup_ms = run(args.repeat, args.export)
    naive = next(ms for name, ms, _, _ in figures if name.endswith("node by node"))
    body = table(figures, reference)
    summary = (f"SMS menu of {nodes} nodes; R = bulk draft tree load, {reference:.1f} ms. "
               f"Node-by-node load is {naive / reference:.0f}× slower than bulk. "
               f"Not counted: loading the export's organisations, accounts and 18,000 templates "
               f"({setup_ms / 1000:.1f} s; records already present are skipped). "
               f"The import writes 2,000 rows level by level and publishes; it is not held to the 1 s budget.")
    header = (f"# Menus benchmark\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{connection.vendor}, load average {os.getloadavg()[0]:.1f} at the end.\n\nCommand: `DATABASE_URL=... python bench/menus.py --repeat {args.repeat}`\n\n")
    save([header + body, "", summary], args.out)


if __name__ == "__main__":
    main()
