"""Search (content/search/) on the full legacy export: server time of a search and
a suggest, against a list read measured in the same run, and the query plans.

    DATABASE_URL=postgres://.../db python bench/search.py [--export DIR] [--repeat 30]

Reads, in process through /graphql/ (the whole request: token, limits, resolvers,
JSON), no answer cache: S1 `packages(first: 20)` (reference), S2 a two-character
Chinese search, S3 a four-character one, S4 an order command, S5 suggest of a
two-character prefix; each for the province web hall. Then EXPLAIN ANALYZE of the
SMS template part of S2 (18,000 rows), as planned and with sequential scans off,
and of S3 as planned."""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.graphql_api_server.load import load
from cms.callers.clients import create_client, issue_token
from cms.models import ApiClient
from content.models import ChannelAccount, Organisation, Package, SmsTemplate
from content.search import services
from harness.export import make_export

SEARCH = """query ($text: String!) { search(text: $text, first: 20) { totalCount
  edges { node { kind code title snippet rank commands } } } }"""
SUGGEST = "query ($prefix: String!) { suggest(prefix: $prefix) { suggestions { text kind code } } }"
PACKAGES = "{ packages(first: 20) { totalCount edges { node { code name monthlyFee orderCommand } } } }"


NOTE = """Reading: a two-character text has no whole trigram, so the GIN trigram indexes
(migration content/0007) can only be read whole (the plan with sequential scans off shows
every row rechecked); PostgreSQL rightly scans, about 20-40 ms for the 18,000 templates on
this machine. Three characters or more are selective through the indexes (about 2 ms for the
template text alone), but at these table sizes (6.5 MB of templates) PostgreSQL's default
`random_page_cost = 4` still prices the bitmap scan above the sequential one; with
`random_page_cost = 1.1` (SSD storage) the plan of S3 is the BitmapOr of the three trigram
indexes. The 50 ms target is not shown met: on this loaded machine (load average 6-9 from
other work) a search takes about 2x the 20-row package list S1 measured beside it, and
whether an idle machine answers under 50 ms is not measured here. Each search also counts
its whole list (`totalCount`), which runs the union a second time."""


def web_hall_token():
    ApiClient.objects.filter(name="bench-search").delete()
    account = ChannelAccount.objects.filter(type="web", organisation__level="province").first()
    client = create_client(name="bench-search", organisation=Organisation.objects.get(code="SX"), accounts=[account])
    return issue_token(client)[1]


def timed(http, token, query, variables, repeat):
    """(median ms, p90 ms, SQL queries, rows) of one read through /graphql/."""
    def post():
        return http.post("/graphql/", {"query": query, "variables": variables}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")

    post()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = post()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and "errors" not in response.json(), response.content[:500]
    with CaptureQueriesContext(connection) as queries:
        data = post().json()["data"]
    field = next(iter(data.values()))
    rows = field.get("totalCount", len(field.get("suggestions", [])))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], len(queries.captured_queries), rows


def two_characters():
    """Two and four Chinese characters of the data: the first run of four in a package name."""
    chinese = re.compile(r"[\u4e00-\u9fff]{4}")
    found = next(m for n in Package.objects.filter(live=True).values_list("name", flat=True) if (m := chinese.search(n)))
    return found.group()[:2], found.group()


def plan(text, seqscan):
    qs = services.matches(services.SEARCHED[3], SmsTemplate.objects.filter(live=True), text)
    with transaction.atomic(), connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return qs.explain(analyze=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", default=os.environ.get("BENCH_EXPORT", str(ROOT / "var" / "bench-export-full")))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "search.md"))
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    make_export(args.export, "full")
    call_command("migrate", verbosity=0)
    how = load(args.export)
    token = web_hall_token()
    http = Client()
    short, longer = two_characters()
    command = Package.objects.filter(live=True).exclude(order_command="").values_list("order_command", flat=True)[0]
    counts = {m.__name__: m.objects.filter(live=True).count() for m in (s.model for s in services.SEARCHED)}
    reads = [
        ("S1 packages(first: 20), reference", PACKAGES, {}),
        (f"S2 search “{short}” (2 characters)", SEARCH, {"text": short}),
        (f"S3 search “{longer}” (4 characters)", SEARCH, {"text": longer}),
        (f"S4 search “{command}” (order command)", SEARCH, {"text": command}),
        (f"S5 suggest “{short}”", SUGGEST, {"prefix": short}),
    ]
    figures = [(name, *timed(http, token, query, variables, args.repeat)) for name, query, variables in reads]
    reference = figures[0][1]
    lines = [
        "## Search",
        "",
        (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, {connection.vendor}; "
        f"load average {os.getloadavg()[0]:.1f} at the end. Data: {how}; live {counts}."),
        "",
        (f"Command: `DATABASE_URL=... python bench/search.py --repeat {args.repeat}`. In-process requests to "
        "/graphql/ (the whole server path, no answer cache), province web hall token."),
        "",
        "| read | median ms | × S1 | p90 ms | SQL queries | rows | target |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, median, p90, queries, rows in figures:
        target = ("< 50 ms: " + ("yes" if median < 50 else "no")) if name.startswith(("S2", "S3", "S4")) else ""
        lines.append(f"| {name} | {median:.1f} | {median / reference:.1f} | {p90:.1f} | {queries} | {rows} | {target} |")
    for read, text, title, seqscan in (("S2", short, "as planned", True), ("S2", short, "sequential scans off", False),
                                       ("S3", longer, "as planned", True)):
        lines += ["", f"EXPLAIN ANALYZE, SMS template part of {read}, {title}:", "", "```",
                  plan(text, seqscan), "```"]
    lines += ["", NOTE]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
