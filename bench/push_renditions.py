"""Benchmark: the size and build time of pushed bundles and deltas, with and without
the channel renditions they carry (publishing/changes/renditions.py), on the full
legacy export (2,000 articles, 300 packages, 60 businesses, 18,000 SMS templates).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms python bench/push_renditions.py [--keepdb]

Creates a throw-away database, loads the export's accounts and content (templates
in bulk), produces every image rendition once, then for the web hall (web-sx), the
mini-program (mp-sx) and the SMS hall (sms-10086) builds: the bundle without
renditions (what the GraphQL ``bundle`` serves), the pushed bundle with them, and the
pushed delta after one package (one template for SMS) is published again. Reported:
JSON bytes (compact, as deliveries send them), gzip bytes, build seconds, SQL
queries. Results to stdout and bench/results/push_renditions.md."""

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from bench.report import save

RESULTS = ROOT / "bench" / "results" / "push_renditions.md"
ACCOUNTS = ("web-sx", "mp-sx", "sms-10086")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def encoded(document):
    # As publishing.services.deliveries.compose writes a delivery's body.
    return json.dumps(
        document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


def measured(build):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        document = build()
        seconds = time.perf_counter() - start
    body = encoded(document)
    return {
        "bytes": len(body),
        "gzip": len(gzip.compress(body, 6)),
        "seconds": seconds,
        "queries": counter.count,
    }


def load(sample):
    from content.models import SmsTemplate

    accounts = {code: sample.account(code) for code in ACCOUNTS}
    for code in sample.rows["packages"]:
        sample.package(code)
    for code in sample.rows["businesses"]:
        sample.business(code)
    sample.bulk_articles(list(sample.rows["articles"]))
    rows = list(sample.rows["sms_templates"].values())
    SmsTemplate.objects.bulk_create(
        [
            SmsTemplate(
                code=r["code"],
                category=r["category"],
                organisation=sample.org(r["org"]),
                text=r["text"],
                parameters=r.get("parameters", []),
                commands=r.get("commands", []),
            )
            for r in rows
        ],
        batch_size=1000,
    )
    return accounts


def run():
    from content.models import Article, Package, SmsTemplate
    from harness.export import make_export
    from harness.sample import Sample
    from media.models import LibraryImage
    from publishing.changes.services import (
        build_bundle,
        bundle_delta,
        current_version,
        record_publication,
    )
    from renditions.images import ALL_SPECS, prepare_renditions

    shared = os.environ.get("BENCH_EXPORT")
    if shared and (Path(shared) / "export.json").exists():
        export = Path(shared)
    else:
        export = make_export(
            tempfile.mkdtemp(prefix="bench-push-export-"), scale="full"
        )
    sample = Sample(export)
    start = time.perf_counter()
    accounts = load(sample)
    load_seconds = time.perf_counter() - start
    prepare_renditions(list(LibraryImage.objects.prefetch_renditions(*ALL_SPECS)))

    # One change each: a package shown by articles (web, mini-program), a template (SMS).
    shown = Article.related_packages.through.objects.order_by("package_id").values_list(
        "package_id", flat=True
    )
    package = Package.objects.get(pk=shown.first())
    template = SmsTemplate.objects.order_by("code").first()
    out = {}
    for code, account in accounts.items():
        build_bundle(
            account, with_renditions=True
        )  # warm: imports, first rendition lookups
        raw = measured(lambda account=account: build_bundle(account))
        pushed = measured(
            lambda account=account: build_bundle(account, with_renditions=True)
        )
        since = current_version(account)
        changed = template if account.type == "sms" else package
        record_publication(type(changed), changed.pk)
        delta_raw = measured(
            lambda account=account, since=since: bundle_delta(account, since)
        )
        delta = measured(
            lambda account=account, since=since: bundle_delta(
                account, since, with_renditions=True
            )
        )
        counts = build_bundle(account)
        items = {
            key: len(value)
            for key, value in counts.items()
            if isinstance(value, list) and value
        }
        out[code] = {
            "type": account.type,
            "items": items,
            "raw": raw,
            "pushed": pushed,
            "delta_raw": delta_raw,
            "delta": delta,
        }
    return out, load_seconds


def write(out, load_seconds):
    mb = 1024 * 1024
    lines = [
        "# Renditions in pushes",
        "",
        (
            f"{time.strftime('%Y-%m-%d')}, full legacy export on PostgreSQL. Command: `DATABASE_URL=... python "
            "bench/push_renditions.py`. Bytes are the compact JSON a delivery sends; gzip for reference (deliveries "
            "are not compressed). The machine was shared: times vary, sizes and query counts do not."
        ),
        "",
        "| account | what | JSON | gzip | build s | SQL |",
        "|---|---|---|---|---|---|",
    ]
    for code, row in out.items():
        for key, label in (
            ("raw", "bundle, no renditions (GraphQL `bundle`)"),
            ("pushed", "pushed bundle, renditions"),
            ("delta_raw", "delta of one change, no renditions"),
            ("delta", "pushed delta of one change, renditions"),
        ):
            m = row[key]
            size = (
                f"{m['bytes'] / mb:.2f} MB"
                if m["bytes"] >= mb
                else f"{m['bytes'] / 1024:.1f} KB"
            )
            packed = (
                f"{m['gzip'] / mb:.2f} MB"
                if m["gzip"] >= mb
                else f"{m['gzip'] / 1024:.1f} KB"
            )
            lines.append(
                f"| {code} | {label} | {size} | {packed} | {m['seconds']:.2f} | {m['queries']} |"
            )
    lines += ["", "| account | items in the bundle | pushed / raw |", "|---|---|---|"]
    for code, row in out.items():
        items = ", ".join(f"{key} {count}" for key, count in row["items"].items())
        lines.append(
            f"| {code} | {items} | {row['pushed']['bytes'] / row['raw']['bytes']:.1f}x |"
        )
    lines += [
        "",
        f"Loading the export's records (setup, not measured against anything): {load_seconds:.1f} s.",
        "",
    ]
    save(lines, RESULTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the benchmark database"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(
            "set DATABASE_URL to a PostgreSQL server (the figures are for PostgreSQL)"
        )
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-push-media-")
    settings.DEBUG = False
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"bench_push_{connection.settings_dict['NAME']}"
    )
    db_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keepdb
    )
    try:
        out, load_seconds = run()
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(db_name, verbosity=0)
    write(out, load_seconds)


if __name__ == "__main__":
    main()
