"""GraphQL API read paths against their references, measured in one run on the
full legacy export (see docs/benchmarks.md, Method).

    DATABASE_URL=postgres://.../db python bench/graphql_api.py [--export DIR] [--duration 5] [--port 18710]

Reads: R1 published menu tree of an account, R2 packages of a brand on sale in a
branch, R3 an article with its mini-program rendition, R3h the same article with its
body as rich-text HTML (what grapple answers; no P2), R4 SMS template changes
since version V (10, 1,000 and 18,000 changes; pages of at most 1,000), R5 the
bundle of the SMS account. Paths: P1 the same response bytes from memory on the
same server, P2 persisted GET answered from Redis (ETag), 304 revalidation, P3
full GraphQL resolution (POST, no answer cache), P4 wagtail-grapple on the same
models (POST, bench server only), P5 Wagtail API v2 on the same models, P6 a
hand-written Django view. Server: gunicorn, 2 sync workers; load: wrk
in a second process at concurrency 1 and 16. Also the SMS bundle build time."""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.graphql_api_server.settings"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

import django

django.setup()

import redis
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api import persisted
from bench import targets
from bench.graphql_api_server.load import load
from bench.report import median_run
from cms.callers.clients import create_client, issue_token
from cms.models import ApiClient
from content.models import Article, ChannelAccount, Organisation
from harness.export import make_export
from publishing.changes.models import Change
from publishing.changes.services import build_bundle

PYTHON_BIN = Path(sys.executable).parent


def bench_client():
    """A province front end bound to the accounts the reads need; a fresh token."""
    ApiClient.objects.filter(name="bench").delete()
    accounts = [
        ChannelAccount.objects.get(code="wx-sx-01"),
        ChannelAccount.objects.filter(type="wechat_miniprogram").first(),
        ChannelAccount.objects.filter(type="sms").first(),
        ChannelAccount.objects.filter(type="web").first(),
    ]
    client = create_client(name="bench", organisation=Organisation.objects.get(code="SX"), accounts=accounts)
    return accounts, issue_token(client)[1]


def measure_bundle(account):
    build_bundle(account)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        bundle = build_bundle(account)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        build_bundle(account)
    tracemalloc.start()
    build_bundle(account)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"templates": len(bundle["smsTemplates"]), "best": min(times), "median": statistics.median(times),
            "queries": len(queries.captured_queries), "peak_mb": peak / 2**20,
            "bytes": len(json.dumps(bundle, ensure_ascii=False).encode())}


GRAPPLE_PACKAGES = """query ($brand: String, $organisation: String, $limit: PositiveInt) {
  packages(brand: $brand, organisation: $organisation, limit: $limit) {
    code name family monthlyFee dataMb voiceMinutes smsCount contractMonths
    orderCommand cancelCommand validFrom validTo highlights
    brands { code name }
  }
}"""
GRAPPLE_ARTICLE = "query ($code: String) { article(code: $code) { code title digest body } }"
# R3h: the article as grapple answers it (its body as rich-text HTML, no channel rendition),
# so P3/P4 compares the same answer. No front end's persisted query: P3 posts the text, and
# the read has no P2 or 304.
DOCUMENTS = {"article_html": "query ($code: String!) { article(code: $code) { code title digest body } }"}


def p3_request(query_name, variables):
    """The parameters of P3's POST: a persisted query by its id, or a bench document by its text."""
    if query_name in DOCUMENTS:
        return {"query": DOCUMENTS[query_name], "variables": variables}
    return {"id": persisted.by_name(query_name).sha256, "variables": variables}


def grapple(query, variables):
    return json.dumps({"query": query, "variables": variables})


def reads(accounts):
    """(id, persisted query name, variables, P4 POST body or None, P5 path or None, P6 path or None)."""
    wx, mp, sms, _web = accounts
    branch = "SX-05"
    out = [
        ("R1 menu wx-sx-01", "wechat_menu", {"account": wx.code}, None, None, f"/bench/django/menu?account={wx.code}"),
        ("R2 packages gotone@SX-05", "web_packages", {"brand": "gotone", "organisation": branch, "first": 50},
         grapple(GRAPPLE_PACKAGES, {"brand": "gotone", "organisation": branch, "limit": 50}),
         f"/bench/api/v2/packages/?brand=gotone&organisation={branch}&limit=50",
         f"/bench/django/packages?brand=gotone&organisation={branch}&first=50"),
    ]
    article = Article.objects.filter(live=True, channels__contains=["wechat_miniprogram"]).order_by("code").first()
    out.append(("R3 article+miniprogram", "miniprogram_article", {"code": article.code, "account": mp.code},
                grapple(GRAPPLE_ARTICLE, {"code": article.code}),
                f"/bench/api/v2/articles/{article.pk}/",
                f"/bench/django/article?code={article.code}&account={mp.code}"))
    out.append(("R3h article body HTML", "article_html", {"code": article.code},
                grapple(GRAPPLE_ARTICLE, {"code": article.code}),
                f"/bench/api/v2/articles/{article.pk}/",
                f"/bench/django/article_html?code={article.code}"))
    versions = list(Change.objects.filter(account=sms, kind="sms_template").order_by("version")
                    .values_list("version", flat=True))
    for n in (10, 1000, 18000):
        n = min(n, len(versions))
        since = versions[-n] - 1
        first = min(n, 1000)
        out.append((f"R4 changes n={n}", "sms_changes", {"account": sms.code, "since": since, "first": first}, None,
                    f"/bench/api/v2/smstemplates/?limit={first}",
                    f"/bench/django/changes?account={sms.code}&since={since}&first={first}"))
    out.append(("R5 bundle sms", "sms_bundle", {"account": sms.code}, None, None, None))
    return out


def in_process(token, read, static_dir):
    """Bytes, SQL queries and the ETag of each path, with Django's test client."""
    name, query_name, variables, p4, p5, p6 = read
    http = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    post_body = json.dumps(p3_request(query_name, variables))
    out = {}
    http.post("/graphql/", post_body, content_type="application/json", **auth)  # principal cached
    with CaptureQueriesContext(connection) as q:
        response = http.post("/graphql/", post_body, content_type="application/json", **auth)
    assert response.status_code == 200 and b'"errors"' not in response.content[:20], response.content[:300]
    out["P3"] = (len(q.captured_queries), len(response.content))
    (static_dir / f"{slug(name)}.json").write_bytes(response.content)
    get_params = etag = None
    if query_name not in DOCUMENTS:
        query = persisted.by_name(query_name)
        get_params = {"id": query.sha256, "variables": json.dumps(variables)}
        first = http.get("/graphql/", get_params, **auth)
        with CaptureQueriesContext(connection) as q:
            second = http.get("/graphql/", get_params, **auth)
        out["P2"] = (len(q.captured_queries), len(second.content))
        etag = second["ETag"]
        with CaptureQueriesContext(connection) as q:
            not_modified = http.get("/graphql/", get_params, HTTP_IF_NONE_MATCH=etag, **auth)
        assert not_modified.status_code == 304 and first["ETag"] == etag
        out["304"] = (len(q.captured_queries), 0)
    if p4:
        http.post("/bench/grapple/", p4, content_type="application/json")
        with CaptureQueriesContext(connection) as q:
            response = http.post("/bench/grapple/", p4, content_type="application/json")
        assert response.status_code == 200 and b'"errors"' not in response.content, response.content[:300]
        out["P4"] = (len(q.captured_queries), len(response.content))
    for path_id, path in (("P5", p5), ("P6", p6)):
        if path:
            with CaptureQueriesContext(connection) as q:
                response = http.get(path)
            assert response.status_code == 200, (path, response.content[:300])
            out[path_id] = (len(q.captured_queries), len(response.content))
    out["P1"] = out["P1r"] = (0, out["P3"][1])
    return out, post_body, get_params, etag


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def lua(method, body, headers):
    lines = [f'wrk.method = "{method}"']
    if body:
        lines.append(f"wrk.body = [==[{body}]==]")
    lines += [f'wrk.headers["{k}"] = [==[{v}]==]' for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def to_ms(value):
    match = re.match(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"latency {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url, script, connections, duration):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    threads = min(2, connections)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "--latency", "-s",
         handle.name, url],
        capture_output=True, text=True, check=True,
    ).stdout
    os.unlink(handle.name)
    if "Requests/sec" not in result or "50%" not in result:
        raise RuntimeError(f"wrk gave no figures for {url}:\n{result}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    try:
        p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", result, re.MULTILINE).group(1))
        p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", result, re.MULTILINE).group(1))
    except ValueError as error:
        raise RuntimeError(f"wrk output for {url} not understood ({error}):\n{result}") from None
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        "requests": int(re.search(r"(\d+) requests in", result).group(1)),
        "p50": p50,
        "p99": p99,
        "errors": int(errors.group(1)) if errors else 0,
    }


def drain(port):
    """Wait until the server has worked off requests queued by the last cell."""
    quick = 0
    for _ in range(600):
        start = time.perf_counter()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60)
        except OSError:
            quick = 0
            continue
        quick = quick + 1 if time.perf_counter() - start < 0.2 else 0
        if quick >= 3:
            return
        time.sleep(0.1)


def serve(port, static_dir):
    env = dict(os.environ, BENCH_STATIC_DIR=str(static_dir), PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [str(PYTHON_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--pythonpath", str(ROOT),
         "--timeout", "120", "--log-level", "warning", "bench.graphql_api_server.wsgi"],
        env=env, cwd=ROOT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def scripts(token, post_body, get_params, etag, p4, p5, p6, name):
    """(path id, URL path, wrk script) of every path of a read."""
    auth = {"Authorization": f"Bearer {token}"}
    out = [
        ("P1r", f"/bench/raw/{slug(name)}", lua("GET", None, {})),
        ("P1", f"/bench/static/{slug(name)}", lua("GET", None, {})),
    ]
    if get_params is not None:
        query_string = urllib.parse.urlencode(get_params)
        out += [("P2", f"/graphql/?{query_string}", lua("GET", None, auth)),
                ("304", f"/graphql/?{query_string}", lua("GET", None, {**auth, "If-None-Match": etag}))]
    out.append(("P3", "/graphql/", lua("POST", post_body, {**auth, "Content-Type": "application/json"})))
    if p4:
        out.append(("P4", "/bench/grapple/", lua("POST", p4, {"Content-Type": "application/json"})))
    if p5:
        out.append(("P5", p5, lua("GET", None, {})))
    if p6:
        out.append(("P6", p6, lua("GET", None, {})))
    return out


LABELS = {"P1r": "P1r same bytes, raw WSGI (no Django)", "P1": "P1 same bytes from memory", "P2": "P2 persisted GET, Redis", "304": "304 revalidation",
          "P3": "P3 full GraphQL (POST)", "P4": "P4 wagtail-grapple (POST)", "P5": "P5 Wagtail API v2",
          "P6": "P6 hand-written view"}


def median_cell(runs):
    """The run of median throughput, with every run's req/s beside it."""
    return {**median_run(runs), "rounds": [run["rps"] for run in runs]}


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"


def report(results, bundle, concurrency, duration, rounds, how):
    lines = [
        "## GraphQL API (`bench/graphql_api.py`)", "",
        (f"Data: full legacy export ({how}), PostgreSQL; server gunicorn 2 sync workers; load wrk "
        f"(second process), concurrency {' and '.join(map(str, concurrency))}, {duration} s per run; at "
        f"concurrency {max(concurrency)} {rounds} rounds with the paths of a read taking turns, each cell the "
        "run of median req/s (ratios: of the medians; each round's P3/P6 and P2/P1 in the last table); "
        "Redis answer cache on."), "",
        ("P2 is what front ends use (a persisted query by GET, its answer cached per token, "
        "invalidated on publish). P2 and 304 take the lean route when the answer is cached "
        "(cms/graphql_reads.py: answered from the WSGI environ with the full stack's headers, "
        "no middleware, no SQL), while P1 serves its bytes from a view behind Django's whole "
        "middleware stack: above 1.00x, P2/P1 and 304/P1 are the middleware a cached read no "
        "longer runs (CPU per request of P1, P2 and 304 in-process: bench/graphql_reads_profile.py). "
        "P1r is the strictest floor: the same bytes from a raw WSGI callable in the same server "
        "(bench/graphql_api_server/wsgi.py, no Django at all); P2/P1r and 304/P1r say how close a "
        "cached read comes to serving bytes with no framework. "
        "P3 resolves every request (POST, no answer cache; the token's "
        "principal is cached). R4 pages hold at most 1,000 changes (n=18,000 is its first page). "
        "P5 for R3 is v2's article detail with the stored HTML body: Wagtail has no channel "
        "renditions, so it does less work than P3. Wagtail's API has no menus (R1) or bundles (R5). "
        "P4 is wagtail-grapple 0.31 (graphene-django's view, grapple's schema and middleware, fields "
        "attached to the models in the bench server only): for R2 grapple's QuerySetList over the same "
        "brand-and-branch queryset as P5 (grapple's own query fields cannot filter by brand or branch), "
        "a plain list (no connection, no pageInfo); for R3 the article by code with its body as "
        "grapple's rich-text HTML (no channel rendition, like P5), which R3h asks P3 and P6 for too "
        "(the same fields as grapple; a document posted as text, not persisted, so no P2 or 304); "
        "it has nothing for R1, R4 or R5."), "",
        ("P3's execution (docs/api.md, Execution speed): limits measured once per document, hot queries "
        "compiled once per shape (pages, change rows, changed items, many-to-many loads, menus; "
        "api/reused_sql.py), menu items as plain values, leaf answers serialized inline, field plans "
        "kept per operation. CPU per request in-process, P3 against P4/P6 in turns: "
        "`bench/graphql_api_profile.py --paths P3,P4,P6`. A POST's principal is held in process for "
        "a local window and the statement timeout stays on the connection between API requests (no "
        "Redis round trip, no BEGIN, set_config, COMMIT per request; R4 keeps a transaction for the "
        "change log's lock); rich text with image references is expanded once per publish (R3h). "
        "R1's menu source is read as values (no models built), and the executor looks up a selection's "
        "plans once, executes the rows of an object list without per-row completion and builds "
        "completers only where needed. R1's query, not asking the menu's source, reads the served "
        "menu's tree in one statement (menus.rollout.tree_served_to; P6 makes two); R4's selected fields "
        "are kept per document. The reused SQL runs as server-side prepared statements (api/prepared.py): "
        "PostgreSQL plans each once per connection, where planning R1's menu read cost three times running "
        "it (P6's menu read goes through the same reused SQL and gains too). Left: the GraphQL "
        "view's own work and the per-request completers."), "",
        (f"SMS bundle ({bundle['templates']} templates, {bundle['bytes'] / 2**20:.1f} MB of JSON): built in "
        f"{bundle['best']:.2f} s best / {bundle['median']:.2f} s median of 3, {bundle['queries']} SQL queries, "
        f"peak {bundle['peak_mb']:.0f} MB (target < 3 s)."), "",
        "| read | path | SQL/req | bytes | " + " | ".join(f"c={c} req/s | c={c} p50/p99 ms" for c in concurrency) + " |",
        "|---|---|---|---|" + "---|---|" * len(concurrency),
    ]
    for name, paths in results.items():
        for path_id, data in paths.items():
            cells = " | ".join(
                f"{data[c]['rps']:.0f} | {data[c]['p50']:.1f}/{data[c]['p99']:.1f}" for c in concurrency
            )
            lines.append(f"| {name} | {LABELS[path_id]} | {data['sql']} | {data['bytes']} | {cells} |")
    top = max(concurrency)
    lines += ["", f"Ratios of throughput at concurrency {top} (and 1):", "",
              "| read | P2/P1 | 304/P1 | P2/P1r | 304/P1r | P3/P1 | P3/P4 | P2/P4 | P3/P5 | P2/P5 | P3/P6 |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, paths in results.items():
        def r(a, b, paths=paths):
            if a not in paths or b not in paths:
                return "n/a"
            return f"{ratio(paths[a][top]['rps'], paths[b][top]['rps'])} ({ratio(paths[a][1]['rps'], paths[b][1]['rps'])})"
        lines.append(f"| {name} | {r('P2', 'P1')} | {r('304', 'P1')} | {r('P2', 'P1r')} | {r('304', 'P1r')} | "
                     f"{r('P3', 'P1')} | {r('P3', 'P4')} | "
                     f"{r('P2', 'P4')} | {r('P3', 'P5')} | {r('P2', 'P5')} | {r('P3', 'P6')} |")
    lines += ["", f"Each round's ratio at concurrency {top} (the runs of a round were made in turns):", "",
              "| read | P2/P1 | P3/P6 | P3/P4 |", "|---|---|---|---|"]
    for name, paths in results.items():
        def each(a, b, paths=paths):
            if a not in paths or b not in paths:
                return "n/a"
            return ", ".join(f"{x / y:.2f}" for x, y in zip(paths[a][top]["rounds"], paths[b][top]["rounds"]))
        lines.append(f"| {name} | {each('P2', 'P1')} | {each('P3', 'P6')} | {each('P3', 'P4')} |")
    return "\n".join(lines) + "\n"


# Issue #22: (path, reference, at least, reads it applies to or None for every read having both).
TARGETS = [
    ("P2", "P1", 0.8, None, "cached persisted GET (P2) at least 0.8x the same bytes from memory (P1), every read"),
    ("304", "P1", 1.0, None, "304 revalidation at least 1.0x P1, every read"),
    ("P3", "P6", 1.0, None, "full GraphQL (P3) at least 1.0x the hand-written view (P6), every read"),
    ("P3", "P4", 2.0, ("R2", "R3h"), "P3 at least 2x wagtail-grapple (P4) where grapple answers (R2, R3h)"),
]


def target_rows(results, top):
    """bench/targets.py rows: each target's ratio of median req/s at the top concurrency, read by read."""
    rows = []
    for path, reference, least, only, text in TARGETS:
        ratios = {name.split()[0] + (" " + name.split()[2] if name.startswith("R4") else ""):
                  paths[path][top]["rps"] / paths[reference][top]["rps"]
                  for name, paths in results.items()
                  if path in paths and reference in paths and (only is None or name.split()[0] in only)}
        figure = ", ".join(f"{name} {value:.2f}x" for name, value in ratios.items())
        rows.append(targets.row(f"{text} (c={top})", figure, ratios and min(ratios.values()) >= least,
                        f"{reference} in the same run, paths in turns, median of rounds"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", default=os.environ.get("BENCH_EXPORT", str(ROOT / "var" / "bench-export-full")))
    parser.add_argument("--duration", type=int, default=3, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each path at the top concurrency, in turns")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18710")))
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "graphql_api.md"))
    parser.add_argument("--reload", action="store_true", help="empty the database and load the export again")
    args = parser.parse_args()
    concurrency = [int(c) for c in args.concurrency.split(",")]
    make_export(args.export, "full")
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    call_command("migrate", verbosity=0)
    if args.reload:
        call_command("flush", interactive=False, verbosity=0)
    how = load(args.export)
    print(f"data: {how}", flush=True)
    accounts, token = bench_client()
    bundle = measure_bundle(accounts[2])
    print(f"bundle: {bundle}", flush=True)
    static_dir = Path(tempfile.mkdtemp(prefix="bench-graphql-"))
    plans = []
    for read in reads(accounts):
        out, post_body, get_params, etag = in_process(token, read, static_dir)
        plans.append((read[0], out, scripts(token, post_body, get_params, etag, *read[3:], read[0])))
    server = serve(args.port, static_dir)
    results = {}
    top = max(concurrency)
    try:
        for name, counts, paths in plans:
            runs = {path_id: {c: [] for c in concurrency} for path_id, _path, _script in paths}
            # The paths of a read take turns, round by round, at the top concurrency: a change in the
            # shared machine's load touches them alike, and each cell is the median of its rounds.
            for r in range(args.rounds):
                for path_id, path, script in paths:
                    for c in concurrency:
                        if c != top and r:
                            continue  # one run at the lower concurrencies: latency, not the ratios' line
                        drain(args.port)
                        run = wrk(f"http://127.0.0.1:{args.port}{path}", script, c, args.duration)
                        if run["errors"]:
                            print(f"!! {name} {path_id} c={c}: {run['errors']} error responses", flush=True)
                        runs[path_id][c].append(run)
            results[name] = {}
            for path_id, _path, _script in paths:
                data = {"sql": counts[path_id][0], "bytes": counts[path_id][1]}
                for c in concurrency:
                    data[c] = median_cell(runs[path_id][c])
                results[name][path_id] = data
                print(name, path_id, {c: [round(run["rps"]) for run in runs[path_id][c]] for c in concurrency},
                      flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_dir, ignore_errors=True)
    text = report(results, bundle, concurrency, args.duration, args.rounds, how)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    targets.record("graphql_api", target_rows(results, max(concurrency)), args.out)
    print(text)


if __name__ == "__main__":
    main()
