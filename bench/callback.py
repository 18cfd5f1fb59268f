"""Benchmark of the WeChat callback endpoint over a real server (gunicorn, 2 sync
workers) driven by wrk from a second process, on loopback.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/6 python bench/callback.py

Seeds 30 official accounts with 50 published keyword rules each (the legacy
export's 10 words plus 40 more, half exact, half contains), then measures, in one
run and at a fixed 500 requests/s:

  P1  the same server returning the same reply bytes from memory (floor: a raw
      WSGI callable, no Django)
  P1d the same bytes from a Django view through the full middleware stack (the
      reference for CPU per request)
  P2  a keyword message in plain mode (cached reply table, its log row batched)
  P2e the same in safe mode (AES envelope both ways)
  P2r WeChat's retry of an already answered message (recognised by its claim: no second log row)
  P2s a keyword message in plain mode on 30 other accounts whose rules are a shared
      set of their province (the same 50 rules) with 5 overrides of their own each

and the time to rebuild the 30 accounts' tables, as publishing a rule of the
province's shared set does, against rebuilding the 30 per-account tables,
and each path's saturation throughput at 16 connections. P1, P2 and P2e run again
paced at BENCH_CALLBACK_HIGH_RATE (default 1,000 req/s, issue #22), reported in a
second table with the saturation ratio against the floor (target 0.5x).

Notes (what paid and what did not) are in docs/callback.md (Speed): the route that
reads the environ itself, the flat-XML reader, the hand-packed Redis SET NX and the
JSON-fed log statement paid; sys.setswitchinterval, smaller log batches, a raw-socket
Redis client and unnest arrays for the followers did not, or were not needed. Prints a table with
ratios against P1 and writes bench/results/callback.md. Run as a script;
gunicorn imports this module (``bench.callback:application``: ``callback`` alone is the app) to get the floor view.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import databases, targets
from bench.report import save

# cms.settings.dev forces DEBUG on (query logging, slower responses): measure on the
# base settings, which are production's minus its required secrets.
os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.base"
os.environ["DEBUG"] = "false"

# Its own database (DATABASE_URL's name + _callback): the seeded accounts and rules stay out
# of the full-scale data.
_SERVER, _NAME = databases.own("bench/callback.py", "_callback", "postgres://postgres@127.0.0.1:5432/cms")
databases.create(_SERVER, _NAME)
os.environ["DATABASE_URL"] = f"{_SERVER}/{_NAME}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("LOG_LEVEL", "WARNING")
PORT = int(os.environ.get("BENCH_CALLBACK_PORT", "18401"))
RATE = int(os.environ.get("BENCH_CALLBACK_RATE", "500"))
# Issue #22: plain and safe mode (and the floor, for the ratio) again at this rate.
HIGH_RATE = int(os.environ.get("BENCH_CALLBACK_HIGH_RATE", "1000"))
HIGH_PATHS = ("P1", "P2", "P2e")
SECONDS = int(os.environ.get("BENCH_CALLBACK_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_CALLBACK_WORKERS", "2"))
# Many connections with a long pause each: the pace barely depends on the latency.
CONNECTIONS = 50
LOAD_AT_START = 0.0
ACCOUNTS = 30
TOKEN = "bench-callback-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WORDS = ["话费", "流量", "套餐", "宽带", "积分", "客服", "营业厅", "5G", "漫游", "发票"]
EXTRA = [f"业务{n:02d}" for n in range(40)]
REPLY = "关于{w}的问题,请点击菜单“查询办理”或回复数字1-3。"
FLOOR_BYTES = (
    "<xml><ToUserName><![CDATA[oBench0000000000000000000000]]></ToUserName><FromUserName><![CDATA[gh_bench]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
    + REPLY.format(w="流量")
    + "]]></Content></xml>"
).encode()

# --- imported by gunicorn: the cms application as cms/wsgi.py builds it, plus the floor --
if __name__ != "__main__":
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    from callback.wsgi import route_callbacks

    @csrf_exempt
    def django_floor(request):
        _ = request.body  # read the body like the endpoint does
        return HttpResponse(FLOOR_BYTES, content_type="application/xml; charset=utf-8")

    # P1d: the same bytes from a Django view, through the full middleware stack.
    urlpatterns = [path("bench/django-floor/", django_floor), path("", include("cms.urls"))]
    settings.ROOT_URLCONF = __name__
    cms_application = route_callbacks(get_wsgi_application())
    import gc

    gc.freeze()  # as cms/wsgi.py does

    def application(environ, start_response):
        """The floor is the server itself: it reads the body and returns the bytes,
        without Django. Everything else is the deployed application."""
        if environ.get("PATH_INFO") == "/bench/floor/":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            environ["wsgi.input"].read(length)
            start_response("200 OK", [("Content-Type", "application/xml; charset=utf-8"),
                                      ("Content-Length", str(len(FLOOR_BYTES)))])
            return [FLOOR_BYTES]
        return cms_application(environ, start_response)


def seed():
    """30 accounts, 50 live rules each, tables rebuilt as a publish would."""
    from callback.table import rebuild_all
    from content.models import AutoReply, ChannelAccount, Organisation
    from content.services.accounts import set_secret

    province, _ = Organisation.objects.get_or_create(code="BENCH", defaults={"name": "基准省", "level": "province"})
    accounts = []
    for n in range(ACCOUNTS):
        account, _ = ChannelAccount.objects.update_or_create(
            code=f"bench-wx-{n:02d}",
            defaults={"name": f"基准公众号{n}", "type": "wechat_official_account", "organisation": province,
                      "app_id": f"wxbench{n:011d}", "original_id": f"gh_bench{n:04d}", "enabled": True},
        )
        set_secret(account, "callback_token", TOKEN)
        set_secret(account, "encoding_aes_key", AES_KEY)
        AutoReply.objects.filter(account=account).delete()
        AutoReply.objects.bulk_create(
            [
                AutoReply(account=account, kind="keyword", keyword=w, match="exact" if i % 2 == 0 else "contains",
                          priority=i % 5, reply_text=REPLY.format(w=w), live=True)
                for i, w in enumerate(WORDS + EXTRA)
            ]
            + [AutoReply(account=account, kind="default", reply_text="您好,回复“流量”查询流量。", live=True)]
        )
        accounts.append(account)
    rebuild_all()
    return accounts


OVERRIDES = 5


def seed_shared():
    """30 accounts of another province answering from its shared set (the same 50
    rules and default), each overriding the first OVERRIDES keywords with its own."""
    from content.models import AutoReply, ChannelAccount, Organisation
    from content.services.accounts import set_secret

    province, _ = Organisation.objects.get_or_create(code="BENCHS", defaults={"name": "基准共享省", "level": "province"})
    AutoReply.objects.filter(organisation=province).delete()
    AutoReply.objects.bulk_create(
        [
            AutoReply(organisation=province, kind="keyword", keyword=w, match="exact" if i % 2 == 0 else "contains",
                      priority=i % 5, reply_text=REPLY.format(w=w), live=True)
            for i, w in enumerate(WORDS + EXTRA)
        ]
        + [AutoReply(organisation=province, kind="default", reply_text="您好,回复“流量”查询流量。", live=True)]
    )
    accounts = []
    for n in range(ACCOUNTS):
        account, _ = ChannelAccount.objects.update_or_create(
            code=f"bench-sh-{n:02d}",
            defaults={"name": f"基准共享公众号{n}", "type": "wechat_official_account", "organisation": province,
                      "app_id": f"wxbenchs{n:010d}", "original_id": f"gh_benchs{n:03d}", "enabled": True},
        )
        set_secret(account, "callback_token", TOKEN)
        set_secret(account, "encoding_aes_key", AES_KEY)
        AutoReply.objects.filter(account=account).delete()
        AutoReply.objects.bulk_create(
            AutoReply(account=account, kind="keyword", keyword=w, match="exact" if i % 2 == 0 else "contains",
                      priority=i % 5, reply_text=REPLY.format(w=w) + f"({n})", live=True)
            for i, w in enumerate(WORDS[:OVERRIDES])
        )
        accounts.append(account)
    return accounts


def rebuild_ms(accounts, rounds=5):
    """Median milliseconds to rebuild these accounts' tables, as one publish reaching them does."""
    from callback.table import rebuild_accounts

    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        rebuild_accounts([a.pk for a in accounts])
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)[rounds // 2]


def _text_xml(account, content, msg_id):
    return (
        f"<xml><ToUserName><![CDATA[{account.original_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[oBench{msg_id % 100000:022d}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def requests_for(kind, accounts, count, first_id):
    """(path, body) pairs: distinct MsgIds spread over the accounts and keywords."""
    from callback.crypto import MessageCrypto, decode_aes_key, signature

    rng = random.Random(first_id)
    texts = WORDS + [f"我想问一下{w}" for w in WORDS] + EXTRA + ["随便说点什么"]
    timestamp, nonce = str(int(time.time())), "20240601"
    sig = signature(TOKEN, timestamp, nonce)
    out = []
    for i in range(count):
        account = accounts[0] if kind == "retry" else accounts[i % len(accounts)]
        msg_id = first_id if kind == "retry" else first_id + i
        xml = _text_xml(account, "流量" if kind == "retry" else rng.choice(texts), msg_id)
        query = f"signature={sig}&timestamp={timestamp}&nonce={nonce}&openid=oBench"
        if kind == "safe":
            encrypt = MessageCrypto(decode_aes_key(AES_KEY), account.app_id).seal(xml.encode())
            msg_sig = signature(TOKEN, timestamp, nonce, encrypt)
            query += f"&encrypt_type=aes&msg_signature={msg_sig}"
            xml = f"<xml><ToUserName><![CDATA[{account.original_id}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        path = {"floor": "/bench/floor/", "django": "/bench/django-floor/"}.get(kind, f"/wechat/{account.code}/")
        out.append((f"{path}?{query}", xml))
    return out


LUA = r"""
local reqs = dofile("%(data)s")
local counter, bad = 0, 0
function setup(thread)
  thread:set("offset", #setup_threads)
  table.insert(setup_threads, thread)
end
setup_threads = {}
function init(args)
  counter = offset
end
function request()
  -- Thread i sends requests i, i+2, i+4...: no MsgId is sent twice in a run.
  local r = reqs[(counter %% #reqs) + 1]
  counter = counter + 2
  return wrk.format("POST", r[1], {["Content-Type"] = "text/xml"}, r[2])
end
function delay()
  return %(delay)d
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(setup_threads) do errors = errors + (t:get("bad") or 0) end
  io.write(string.format('JSON{"requests":%%d,"duration_us":%%d,"non2xx":%%d,"socket_errors":%%d,' ..
    '"p50":%%d,"p90":%%d,"p99":%%d,"p999":%%d,"max":%%d,"mean":%%f,"bad":%%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, errors))
end
function teardown() end
"""


def write_lua(workdir, name, reqs, delay_ms):
    data = workdir / f"{name}.data.lua"
    with data.open("w") as fh:
        fh.write("return {\n")
        for path, body in reqs:
            fh.write(f"{{[==[{path}]==],[==[{body}]==]}},\n")
        fh.write("}\n")
    script = workdir / f"{name}.lua"
    script.write_text(LUA % {"data": data, "delay": delay_ms})
    return script


def run_wrk(script, connections, seconds):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
         f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON"))
    figures = json.loads(line[4:])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def _environ(path, body):
    import io

    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path_info, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "CONTENT_TYPE": "text/xml", "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(PORT), "HTTP_HOST": f"127.0.0.1:{PORT}", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def _call(application, path, body):
    """One request through the WSGI application gunicorn serves; (status, body bytes)."""
    answer = {}
    result = application(_environ(path, body), lambda status, headers: answer.update(status=status))
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()  # as the server does: deferred work runs here
    return answer["status"], content


def in_process(reqs):
    """SQL statements and response bytes of one request, and CPU milliseconds per request
    over the rest, in this process through the WSGI application the server runs (no
    network, no scheduler noise from other processes: the steadiest figure on a shared
    machine). The CPU includes the message-log writer thread of this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application = sys.modules["bench.callback"].application
    for path, body in reqs[:50]:  # warm the process
        _call(application, path, body.encode())
    path, body = reqs[50]
    with CaptureQueriesContext(connection) as queries:
        status, content = _call(application, path, body.encode())
    assert status.startswith("200"), content
    statements = len(queries)
    from callback.logbook import logbook

    logbook.flush()
    started = time.process_time()
    for path, body in reqs[51:]:
        _call(application, path, body.encode())
    logbook.flush()  # the log rows' write counts too (the flusher thread's work)
    cpu_ms = (time.process_time() - started) * 1000 / len(reqs[51:])
    return statements, len(content), cpu_ms


def start_server():
    import socket

    with socket.socket() as probe:
        # As gunicorn binds: connections of an earlier run left in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", PORT))
        except OSError:
            raise SystemExit(f"port {PORT} is in use: stop what listens there or set BENCH_CALLBACK_PORT") from None
    env = {**os.environ}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "bench.callback:application", "--pythonpath",
         f"{ROOT}", "-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )
    import httpx

    # gunicorn binds before its workers have loaded Django: wait for real answers.
    for _ in range(300):
        try:
            if httpx.post(f"http://127.0.0.1:{PORT}/bench/floor/", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("gunicorn did not start")


def stop_server(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores, {cpu}"


def main():
    global LOAD_AT_START
    import django

    LOAD_AT_START = os.getloadavg()[0]

    django.setup()
    from django.core.management import call_command

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    call_command("migrate", verbosity=0)
    own_accounts = seed()
    shared_accounts = seed_shared()
    rebuilds = {"per-account rules": rebuild_ms(own_accounts), "shared set + overrides": rebuild_ms(shared_accounts)}
    count = RATE * SECONDS + 2000
    paths = {"P1": "floor", "P1d": "django", "P2": "plain", "P2e": "safe", "P2r": "retry", "P2s": "shared"}
    labels = {"P1": "floor: same bytes from memory (raw WSGI)",
              "P1d": "same bytes from a Django view (full middleware)", "P2": "keyword, plain mode",
              "P2e": "keyword, safe mode (AES)", "P2r": "WeChat retry (dedupe hit)",
              "P2s": "keyword, plain mode, shared reply set"}

    def accounts_for(kind):
        return shared_accounts if kind == "shared" else own_accounts

    # Importing this file as a module installs the floor view here too.
    __import__("bench.callback")
    sql = {pid: in_process(requests_for(kind, accounts_for(kind), 1051, 10**15 + n * 10**9))
           for n, (pid, kind) in enumerate(paths.items())}
    rows = {}
    server = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            for n, (pid, kind) in enumerate(paths.items()):
                base = 2 * 10**15 + n * 10**9
                # Warm both workers on this path (imports, compiled tables, connections), then
                # pause each connection so that together they send RATE requests/s.
                accounts = accounts_for(kind)
                warm = write_lua(workdir, f"{pid}-warm", requests_for(kind, accounts, 3000, base + 9 * 10**8), 0)
                mean_ms = run_wrk(warm, 4, 2)["mean"] / 1000
                delay_ms = max(0, round(CONNECTIONS * 1000 / RATE - mean_ms))
                # Fresh signatures per run: the endpoint refuses timestamps older than 5 minutes.
                paced = write_lua(workdir, f"{pid}-paced", requests_for(kind, accounts, count, base), delay_ms)
                rows[pid] = {"paced": run_wrk(paced, CONNECTIONS, SECONDS)}
                if pid in HIGH_PATHS and HIGH_RATE != RATE:
                    delay_ms = max(0, round(CONNECTIONS * 1000 / HIGH_RATE - mean_ms))
                    high = write_lua(workdir, f"{pid}-high", requests_for(
                        kind, accounts, HIGH_RATE * SECONDS + 2000, base + 7 * 10**8), delay_ms)
                    rows[pid]["high"] = run_wrk(high, CONNECTIONS, SECONDS)
                flat_count = 3000 * max(5, SECONDS // 2)
                flat = write_lua(workdir, f"{pid}-flat", requests_for(kind, accounts, flat_count, base + 5 * 10**8), 0)
                rows[pid]["max"] = run_wrk(flat, 16, max(5, SECONDS // 2))
    finally:
        stop_server(server)
    report(rows, sql, labels, rebuilds)


def high_rate_lines(rows):
    """Issue #22: p99 at HIGH_RATE in plain and safe mode, and saturation against the floor."""
    if not all("high" in rows[pid] for pid in HIGH_PATHS):
        return []
    floor = rows["P1"]
    lines = [
        "",
        f"At {HIGH_RATE} req/s (issue #22), same server and run:",
        "",
        "| id | req/s paced | p50 ms | p99 ms | p99.9 ms | non-200 | p99 vs P1 | max req/s (c=16) | vs P1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for pid in HIGH_PATHS:
        high, top = rows[pid]["high"], rows[pid]["max"]
        lines.append(
            f"| {pid} | {high['rps']:.0f} | {high['p50'] / 1000:.2f} | {high['p99'] / 1000:.2f} | "
            f"{high['p999'] / 1000:.2f} | {high['non2xx'] + high['socket_errors'] + high['bad']} | "
            f"{high['p99'] / max(floor['high']['p99'], 1):.2f}x | {top['rps']:.0f} | "
            f"{top['rps'] / floor['max']['rps']:.2f}x |"
        )
    p99_met = all(rows[p]["high"]["p99"] < 10_000 and rows[p]["high"]["rps"] >= 0.95 * HIGH_RATE
                  for p in ("P2", "P2e"))
    ratios = {p: rows[p]["max"]["rps"] / floor["max"]["rps"] for p in ("P2", "P2e")}
    lines += [
        "",
        (f"Target p99 < 10 ms at {HIGH_RATE} req/s for P2 and P2e: {'met' if p99_met else 'NOT met'}. "
         f"Target saturation at least 0.5x the raw WSGI floor: P2 {ratios['P2']:.2f}x, P2e {ratios['P2e']:.2f}x: "
         f"{'met' if min(ratios.values()) >= 0.5 else 'NOT met'}."),
    ]
    return lines


def report(rows, sql, labels, rebuilds):
    floor = rows["P1"]
    lines = [
        f"## WeChat callback ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {machine()}, load average {LOAD_AT_START:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
        f"(shared with other work). Server: gunicorn, {WORKERS} sync workers, "
        f"PostgreSQL and Redis on loopback. Load: wrk, {CONNECTIONS} connections paced to {RATE} req/s for "
        f"{SECONDS} s ({', '.join(HIGH_PATHS)} also to {HIGH_RATE} req/s), then 16 unpaced connections for "
        "saturation. 30 accounts x 50 published rules; "
        "messages spread over accounts, exact, contains and unmatched texts; every request a distinct MsgId "
        "(except P2r).",
        "",
        "Command: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms REDIS_URL=redis://127.0.0.1:6379/6 "
        ".venv/bin/python bench/callback.py`",
        "",
        "| id | path | req/s paced | p50 ms | p99 ms | p99.9 ms | non-200 | p99 vs P1 | max req/s (c=16) | vs P1 "
        "| CPU ms/req in-process | vs P1d | SQL/req | bytes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pid, row in rows.items():
        paced, top = row["paced"], row["max"]
        queries, size, cpu_ms = sql[pid]
        lines.append(
            f"| {pid} | {labels[pid]} | {paced['rps']:.0f} | {paced['p50'] / 1000:.2f} | {paced['p99'] / 1000:.2f} | "
            f"{paced['p999'] / 1000:.2f} | {paced['non2xx'] + paced['socket_errors'] + paced['bad']} | "
            f"{paced['p99'] / max(floor['paced']['p99'], 1):.2f}x | {top['rps']:.0f} | "
            f"{top['rps'] / floor['max']['rps']:.2f}x | {cpu_ms:.2f} | {cpu_ms / sql['P1d'][2]:.2f}x | {queries} | {size} |"
        )
    target = all(
        rows[p]["paced"]["p99"] < 10_000 and rows[p]["paced"]["rps"] >= 0.95 * RATE for p in ("P2", "P2e", "P2s")
    )
    lines += ["", f"Target p99 < 10 ms at {RATE} req/s for P2, P2e and P2s: {'met' if target else 'NOT met'}."]
    shared, own = rows["P2s"]["paced"], rows["P2"]["paced"]
    lines.append(
        f"Shared reply sets against per-account rules, same run: P2s p99 {shared['p99'] / 1000:.2f} ms, p50 "
        f"{shared['p50'] / 1000:.2f} ms, {sql['P2s'][2]:.2f} CPU ms/req; P2 p99 {own['p99'] / 1000:.2f} ms, p50 "
        f"{own['p50'] / 1000:.2f} ms, {sql['P2'][2]:.2f} CPU ms/req ({sql['P2s'][0]} and {sql['P2'][0]} SQL "
        "statements per request: both answer from the compiled table in memory)."
    )
    lines.append(
        f"Caveat: the machine is shared with other work (load {LOAD_AT_START:.1f} at the start): p99 on a loaded "
        "machine measures its run queue as much as the endpoint; compare paths within this run, and the "
        "in-process CPU column, not figures across runs."
    )
    lines.append(
        f"Rebuilding the {ACCOUNTS} accounts' tables (median of 5, in one process, what a publish reaching them "
        "does after commit): " + "; ".join(f"{name} {ms:.0f} ms" for name, ms in rebuilds.items()) + "."
    )
    lines += high_rate_lines(rows)
    if floor["paced"]["rps"] < 0.95 * RATE:
        lines.append(
            f"The floor itself (P1) reached only {floor['paced']['rps']:.0f} of {RATE} req/s: the machine was "
            "saturated by other work during this run, so its latencies measure the queue, not the endpoint."
        )
    for pid in ("P2", "P2e"):
        cpu_ms = sql[pid][2]
        lines.append(
            f"{pid} costs {cpu_ms:.2f} ms of CPU per request in the app process, so {RATE} req/s need "
            f"{cpu_ms * RATE / 1000:.2f} of the machine's {os.cpu_count()} cores for the app (plus PostgreSQL and Redis)."
        )
    lines.append("")
    save(lines, ROOT / "bench" / "results" / "callback.md")
    if all("high" in rows[pid] for pid in HIGH_PATHS):
        high = {p: rows[p]["high"] for p in ("P2", "P2e")}
        targets.record("callback", [targets.row(
            f"callback p99 under 10 ms at {HIGH_RATE} req/s, plain (P2) and safe mode (P2e), 2 gunicorn workers",
            ", ".join(f"{p} p99 {h['p99'] / 1000:.2f} ms at {h['rps']:.0f} req/s" for p, h in high.items()),
            all(h["p99"] < 10_000 and h["rps"] >= 0.95 * HIGH_RATE for h in high.values()),
            f"raw WSGI floor (P1) p99 {rows['P1']['high']['p99'] / 1000:.2f} ms, same run")])


if __name__ == "__main__":
    main()
