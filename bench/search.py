"""Search (content/search/) on the full legacy export: server time and CPU of a
search and a suggest, against a list read measured in the same run; the cached
persisted search against its floor; the query plans.

    DATABASE_URL=postgres://.../db REDIS_URL=redis://.../n python bench/search.py [--export DIR] [--repeat 30]

Reads, in process through /graphql/ (the whole request: token, limits, resolvers,
JSON), POST so no answer cache: S1 `packages(first: 20)` (reference), S2 a
two-character Chinese search, S3 a four-character one, S4 an order command, S5
suggest of a two-character prefix, each for the province web hall; S6 the commonest
two characters of the SMS templates and S7 an SMS command, for the province SMS hall
(18,000 templates). Cached: C1 the persisted search of S2 by GET, answered from the
answer cache (Redis with its in-process tier), against F1 its very bytes from memory
through a Django view in the same process (full middleware): the floor. Then
EXPLAIN ANALYZE of the SMS template part of S2, S6 and S3.

CPU ms is the process's own CPU per request (time.process_time), which a loaded
machine inflates far less than wall time; the database's CPU is not in it."""

import argparse
import json
import os
import re
import statistics
import sys
import time
import types
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from api import cache, persisted
from bench.graphql_api_server.load import load
from bench.report import save
from cms.callers.clients import create_client, issue_token
from cms.models import ApiClient
from content.models import ChannelAccount, Organisation, Package, SmsTemplate
from content.search import services
from harness.export import make_export

SEARCH = """query ($text: String!) { search(text: $text, first: 20) { totalCount
  edges { node { kind code title snippet rank commands } } } }"""
SUGGEST = "query ($prefix: String!) { suggest(prefix: $prefix) { suggestions { text kind code } } }"
PACKAGES = "{ packages(first: 20) { totalCount edges { node { code name monthlyFee orderCommand } } } }"

NOTE = """Reading: each searched table has a GIN index of the distinct two-character grams
of its upper-cased searched columns (migration content/0014, docs/api.md Search). A search
of n characters asks for the rows holding all n-1 of its grams, then matches the exact
substring and ranks those candidates only: a rare pair of characters (S2) reads a handful of
rows instead of the 18,000 templates the trigram indexes of 0009 could not narrow (pg_trgm
keeps only alphanumeric words; two characters have no trigram). The commonest pair of the
templates (S6) still has thousands of candidates to match, rank and count: that is the
search's worst case, bounded by the rows that really match. The page and `totalCount` come
from one statement (a window count), and the union's SQL is compiled once per reader,
channel and kinds and reused with each text (content/search/statements.py), so a search
costs about the Python CPU of the package list S1.

What paid, measured by CPU in this process and in the database backend (/proc), not wall
time: the bigram index (S2's template part from a scan of 18,000 rows to an index probe);
the page and its total in one statement (one query less); the union's SQL reused per reader
(Python CPU of S2-S4 from about 13-18 ms to 5-6 ms, as S1); for two characters no substring
recheck (the gram is the match) and a title-start rank that upper-cases only the text's
length (S6's statement from about 30 to 19 ms of database CPU; the rest is mostly the rank's
upper-casing of every candidate's text).

Tried and left: the grams as bigint code-point pairs instead of text (about 15% less CPU to
insert 18,000 templates, within the noise of this machine; the text grams read in EXPLAIN);
the index built with COLLATE "C" (no measurable gain); the index with `fastupdate = off`
(3x the CPU to insert 18,000 templates, for searches that only skip a pending list
autovacuum merges anyway). Writing the index costs about 1 s of database CPU per 18,000
templates inserted (bulk import), beside about 0.5 s for the three trigram indexes of 0009,
which the admin's substring search still uses."""

FLOOR_BYTES = {}


def floor(request):
    """F1: the bytes of the cached answer, from memory, through Django (the floor of C1)."""
    return HttpResponse(FLOOR_BYTES["search"], content_type="application/json")


def with_floor_route():
    """The project's URLs plus the floor's, for this process only."""
    from cms.urls import urlpatterns

    urls = types.ModuleType("bench_search_urls")
    urls.urlpatterns = [path("bench/floor/search", floor), *urlpatterns]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__


def token_for(name, account):
    ApiClient.objects.filter(name=name).delete()
    client = create_client(name=name, organisation=Organisation.objects.get(code="SX"), accounts=[account])
    return issue_token(client)[1]


def measure(send, repeat):
    """(median ms, p90 ms, CPU ms per request, SQL queries, last response) of ``send()``."""
    send()
    times = []
    cpu = time.process_time()
    for _ in range(repeat):
        start = time.perf_counter()
        response = send()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:500]
    cpu = (time.process_time() - cpu) * 1000 / repeat
    with CaptureQueriesContext(connection) as queries:
        response = send()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], cpu, len(queries.captured_queries), response


def read(http, token, query, variables, repeat):
    def post():
        return http.post("/graphql/", {"query": query, "variables": variables}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")

    median, p90, cpu, sql, response = measure(post, repeat)
    assert "errors" not in response.json(), response.content[:500]
    field = next(iter(response.json()["data"].values()))
    rows = field.get("totalCount", len(field.get("suggestions", [])))
    return median, p90, cpu, sql, rows


def cached(http, token, text, repeat):
    """C1 (persisted GET from the answer cache) and F1 (its bytes from memory), interleaved."""
    document = persisted.by_name("search")
    params = {"id": document.sha256, "variables": json.dumps({"text": text, "first": 20})}

    def get():
        return http.get("/graphql/", params, HTTP_AUTHORIZATION=f"Bearer {token}")

    first = get()
    assert first.status_code == 200 and b'"errors"' not in first.content, first.content[:500]
    FLOOR_BYTES["search"] = first.content
    out = {"C1": [], "F1": []}
    for _ in range(3):  # alternate the two so the machine's load falls on both alike
        out["C1"].append(measure(get, repeat // 3 or 1))
        out["F1"].append(measure(lambda: http.get("/bench/floor/search"), repeat // 3 or 1))
    return {k: (statistics.median(m[0] for m in v), max(m[1] for m in v), statistics.median(m[2] for m in v),
                v[-1][3], len(v[-1][4].content)) for k, v in out.items()}


def served(token, text, port, duration):
    """{(path, concurrency): wrk figures} of C1 and F1 on a real server, as bench/graphql_api.py
    measures P2 and P1 (its server settings hold the floor's route /bench/static/<name>)."""
    import tempfile
    import urllib.parse

    # Its server, wrk and scripts (importing it names its server's settings for the server process).
    from bench import graphql_api as api_bench

    params = urllib.parse.urlencode({"id": persisted.by_name("search").sha256,
                                     "variables": json.dumps({"text": text, "first": 20})})
    out = {}
    with tempfile.TemporaryDirectory() as static_dir:
        (Path(static_dir) / "search.json").write_bytes(FLOOR_BYTES["search"])
        server = api_bench.serve(port, Path(static_dir))
        try:
            cells = (("F1", "/bench/static/search", api_bench.lua("GET", None, {})),
                     ("C1", f"/graphql/?{params}", api_bench.lua("GET", None, {"Authorization": f"Bearer {token}"})))
            for concurrency in (1, 16):
                for name, url_path, script in cells:
                    api_bench.drain(port)
                    out[(name, concurrency)] = api_bench.wrk(f"http://127.0.0.1:{port}{url_path}", script, concurrency,
                                                             duration)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return out


def served_lines(figures):
    lines = ["", "Served (gunicorn, 2 sync workers, wrk; as bench/graphql_api.py P2 and P1):", "",
             "| path | c=1 req/s | c=1 p50/p99 ms | c=16 req/s | c=16 p50/p99 ms | non-2xx |", "|---|---:|---:|---:|---:|---:|"]
    for name, label in (("C1", "C1 persisted GET, answer cache"), ("F1", "F1 same bytes from memory (floor)")):
        one, many = figures[(name, 1)], figures[(name, 16)]
        lines.append(f"| {label} | {one['rps']:.0f} | {one['p50']:.1f}/{one['p99']:.1f} | {many['rps']:.0f} | "
                     f"{many['p50']:.1f}/{many['p99']:.1f} | {one['errors'] + many['errors']} |")
    ratio = figures[("C1", 16)]["rps"] / figures[("F1", 16)]["rps"]
    ratio_one = figures[("C1", 1)]["rps"] / figures[("F1", 1)]["rps"]
    verdict = "yes" if ratio >= 0.5 else "no"
    lines += ["", f"C1/F1 throughput: {ratio:.2f}x at concurrency 16 ({ratio_one:.2f}x at 1); target ≥ 0.5x: {verdict}."]
    return lines


def two_characters():
    """Two and four Chinese characters of the data: the first run of four in a package name."""
    chinese = re.compile(r"[\u4e00-\u9fff]{4}")
    found = next(m for n in Package.objects.filter(live=True).values_list("name", flat=True) if (m := chinese.search(n)))
    return found.group()[:2], found.group()


def commonest_pair():
    """The two Chinese characters most SMS templates hold: the search's worst case."""
    pairs = Counter()
    for text in SmsTemplate.objects.filter(live=True).values_list("text", flat=True):
        pairs.update({text[i:i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i:i + 2])})
    return pairs.most_common(1)[0][0]


def plan(text):
    qs = services.matches(services.SEARCHED[3], SmsTemplate.objects.filter(live=True), text)
    return qs.explain(analyze=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", default=os.environ.get("BENCH_EXPORT", str(ROOT / "var" / "bench-export-full")))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "search.md"))
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per served cell (0: none)")
    parser.add_argument("--port", type=int, default=18720)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    with_floor_route()
    make_export(args.export, "full")
    call_command("migrate", verbosity=0)
    how = load(args.export)
    web = token_for("bench-search", ChannelAccount.objects.filter(type="web", organisation__level="province").first())
    sms = token_for("bench-search-sms", ChannelAccount.objects.filter(type="sms", organisation__level="province").first())
    http = Client()
    short, longer = two_characters()
    common = commonest_pair()
    command = Package.objects.filter(live=True).exclude(order_command="").values_list("order_command", flat=True)[0]
    sms_command = next(c for cs in SmsTemplate.objects.filter(live=True).values_list("commands", flat=True) for c in cs)
    counts = {m.__name__: m.objects.filter(live=True).count() for m in (s.model for s in services.SEARCHED)}
    reads = [
        ("S1 packages(first: 20), reference", web, PACKAGES, {}),
        (f"S2 search “{short}” (2 characters)", web, SEARCH, {"text": short}),
        (f"S3 search “{longer}” (4 characters)", web, SEARCH, {"text": longer}),
        (f"S4 search “{command}” (order command)", web, SEARCH, {"text": command}),
        (f"S5 suggest “{short}”", web, SUGGEST, {"prefix": short}),
        (f"S6 SMS hall search “{common}” (commonest pair)", sms, SEARCH, {"text": common}),
        (f"S7 SMS hall search “{sms_command}” (SMS command)", sms, SEARCH, {"text": sms_command}),
    ]
    figures = [(name, *read(http, token, query, variables, args.repeat)) for name, token, query, variables in reads]
    reference, reference_cpu = figures[0][1], figures[0][3]
    lines = [
        "## Search",
        "",
        (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, {connection.vendor}; "
         f"load average {os.getloadavg()[0]:.1f} at the end. Data: {how}; live {counts}."),
        "",
        (f"Command: `DATABASE_URL=... REDIS_URL=... python bench/search.py --repeat {args.repeat}`. In-process "
         "requests to /graphql/ (the whole server path), POST (no answer cache); S1-S5 a province web hall token, "
         "S6-S7 a province SMS hall token. CPU ms: this process's CPU per request (not the database's)."),
        "",
        "| read | median ms | × S1 | p90 ms | CPU ms | CPU × S1 | SQL queries | rows | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, median, p90, cpu, queries, rows in figures:
        target = ("< 50 ms: " + ("yes" if median < 50 else "no")) if name.startswith(("S2", "S3", "S4")) else ""
        lines.append(f"| {name} | {median:.1f} | {median / reference:.1f} | {p90:.1f} | {cpu:.1f} | "
                     f"{cpu / reference_cpu:.1f} | {queries} | {rows} | {target} |")
    if cache.enabled():
        paths = cached(http, web, short, args.repeat)
        ratio = paths["F1"][0] / paths["C1"][0]
        lines += [
            "",
            (f"Cached persisted search (S2's text, `graphql/queries/search.graphql` by GET; interleaved, "
            f"{args.repeat} each):"),
            "",
            "| path | median ms | p90 ms | CPU ms | SQL queries | bytes |",
            "|---|---:|---:|---:|---:|---:|",
            *(f"| {label} | {m:.2f} | {p:.2f} | {c:.2f} | {q} | {b} |" for label, (m, p, c, q, b) in (
                ("C1 persisted GET, answer cache", paths["C1"]), ("F1 same bytes from memory (floor)", paths["F1"]))),
            "",
            (f"In process, C1 answers at {ratio:.2f}x the floor's rate (no HTTP parsing or socket in either path: "
             "the cached path's own work, token digest, answer key and cache tier, weighs more than when served)."),
        ]
        if args.duration:
            lines += served_lines(served(web, short, args.port, args.duration))
    else:
        lines += ["", "Cached persisted search: not measured (no REDIS_URL: the answer cache is off)."]
    for read_name, text in (("S2", short), ("S6", common), ("S3", longer)):
        lines += ["", f"EXPLAIN ANALYZE, SMS template part of {read_name} (“{text}”), as planned:", "", "```",
                  plan(text), "```"]
    lines += ["", NOTE]
    save(lines, args.out)


if __name__ == "__main__":
    main()
