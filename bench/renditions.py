"""Benchmark: rendering the full legacy export's 2,000 articles for all four channels.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms python bench/renditions.py [--articles N] [--keepdb]

(or `make bench`, which runs every benchmark on the export in BENCH_EXPORT).

Creates a throw-away database (test_<name>), imports the full export (articles,
their images and packages, the channel accounts), produces every image
rendition once, then times, on the same articles in the same run:

  F  sanitize_html(body): the floor, the one sanitizer every body goes through;
  W  Wagtail's expand_db_html(body): the stock rich-text path (one channel, web);
  R  render_all(article, [WeChat, mini-program, SMS, web]): this feature;
  R1 render(article, account) per channel.

Figures are ratios against W and F measured here (docs/benchmarks.md, Method).
Results go to stdout and bench/results/renditions.md."""

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.conf import settings
from django.db import connection

from bench.report import save

RESULTS = ROOT / "bench" / "results" / "renditions.md"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class QueryCounter:
    """Counts SQL statements (Django's query log keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(items, fn):
    """Per-item seconds of fn over items, and the total queries."""
    times = []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for item in items:
            start = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - start)
    return times, counter.count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=0, help="only the first N articles (default: all)")
    parser.add_argument("--keepdb", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL server (the figures are for PostgreSQL)")

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-renditions-media-")
    settings.DEBUG = False
    # Never the test database pytest reuses.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_renditions_{connection.settings_dict['NAME']}"
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        rows = run(args.articles, db_name)
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(db_name, verbosity=0)
    write(rows)


def run(limit, db_name):
    from wagtail.rich_text import expand_db_html

    from content.models import Article
    from content.services.html import sanitize_html
    from harness.export import make_export
    from harness.sample import Sample
    from media.models import LibraryImage
    from renditions.images import ALL_SPECS, prepare_renditions
    from renditions.services import render, render_all, render_many

    # bin/bench shares one full export between the benchmarks (BENCH_EXPORT).
    shared = os.environ.get("BENCH_EXPORT")
    if shared and (Path(shared) / "export.json").exists():
        export = Path(shared)
    else:
        export = make_export(tempfile.mkdtemp(prefix="bench-renditions-export-"), scale="full")
    sample = Sample(export)
    codes = list(sample.rows["articles"])[: limit or None]

    start = time.perf_counter()
    accounts = [sample.account(code) for code in ("wx-sx", "mp-sx", "sms-10086", "web-sx")]
    sample.bulk_articles(codes)
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    images = list(LibraryImage.objects.prefetch_renditions(*ALL_SPECS))
    created = prepare_renditions(images)
    prepare_seconds = time.perf_counter() - start

    articles = list(Article.objects.filter(code__in=codes).order_by("code"))
    bodies = [a.body for a in articles]
    # Warm-up (imports, first connections) outside the timings.
    for article in articles[:20]:
        render_all(article, accounts)
        expand_db_html(article.body)

    floor, _ = timed(bodies, sanitize_html)
    wagtail, wagtail_queries = timed(bodies, expand_db_html)

    def fresh():
        return list(Article.objects.filter(code__in=codes).order_by("code"))

    full, full_queries = timed(fresh(), lambda a: render_all(a, accounts))
    # The whole export in batches: images and packages loaded once per 200 articles.
    batch_items = fresh()
    batch_queries = QueryCounter()
    with connection.execute_wrapper(batch_queries):
        all_start = time.perf_counter()
        batch_count = sum(1 for _ in render_many(batch_items, accounts))
        all_seconds = time.perf_counter() - all_start
    assert batch_count == len(batch_items)
    batch = [all_seconds / len(batch_items)] * len(batch_items)
    per_channel = {}
    for account in accounts:
        per_channel[account.type] = timed(fresh(), lambda a, account=account: render(a, account))

    n = len(articles)
    wagtail_mean = statistics.mean(wagtail)
    floor_mean = statistics.mean(floor)

    def row(name, times, queries):
        mean = statistics.mean(times)
        return (
            name, f"{mean * 1000:.2f}", f"{percentile(times, 0.5) * 1000:.2f}", f"{percentile(times, 0.99) * 1000:.2f}",
            f"{queries / n:.2f}", f"{mean / wagtail_mean:.2f}x", f"{mean / floor_mean:.1f}x",
        )

    table = [
        row("F sanitize_html(body) (floor)", floor, 0),
        row("W Wagtail expand_db_html(body) (reference, web only)", wagtail, wagtail_queries),
        row("R render_all: WeChat + mini-program + SMS + web", full, full_queries),
        row("RB render_many (batches of 200), four channels, mean only", batch, batch_queries.count),
    ]
    for channel, (times, queries) in per_channel.items():
        table.append(row(f"R1 render: {channel}", times, queries))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = [
        ("articles rendered", str(n)),
        ("images / renditions created once", f"{len(images)} / {created} ({len(ALL_SPECS)} specs)"),
        ("import of the sample records (setup, not timed against anything)", f"{load_seconds:.1f} s"),
        ("producing every image rendition (cold, once)", f"{prepare_seconds:.1f} s"),
        ("all articles x all four channels, render_many (warm renditions)", f"{all_seconds:.1f} s (target: under 60 s)"),
        ("all articles x all four channels, render_all one by one", f"{sum(full):.1f} s"),
        ("mean per article, four channels (render_all)", f"{statistics.mean(full) * 1000:.2f} ms (target: well under 50 ms)"),
        ("peak memory (RSS)", f"{peak_mb:.0f} MB"),
    ]
    return table, summary


def write(result):
    table, summary = result
    header = ("path", "mean ms", "p50 ms", "p99 ms", "SQL/article", "vs W", "vs F")
    lines = [
        "# Channel renditions",
        "",
        (f"{date.today().isoformat()}, {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}, "
         f"PostgreSQL), full legacy export. Command: `DATABASE_URL=... python bench/renditions.py`. "
         "The machine was shared with other jobs: absolute times vary, ratios hold."),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in table),
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in summary),
        "",
        ("F: the one HTML sanitizer over each body (the floor every renderer pays). W: Wagtail's own rich-text "
         "expansion of the same bodies, image embeds resolved to renditions, one channel (web) only. R: all four "
         "channel renditions of each article (images in one query, renditions prefetched, no image code touched)."),
        "",
    ]
    save(lines, RESULTS)


if __name__ == "__main__":
    main()
