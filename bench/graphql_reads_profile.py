"""CPU per request of the cached reads (paths P1, P2 and 304 of bench/graphql_api.py),
in-process through the project's WSGI application (cms.wsgi, as gunicorn calls it),
on the data that bench loaded.

    DATABASE_URL=postgres://.../db python bench/graphql_reads_profile.py [--reads R1,R2] [-n 2000] [--profile "R1 P2"]

Prints, per read and path (and P2 through Django's full stack, as before the lean
route), CPU µs per request (process time: load-independent, the
figure to judge a change by on a busy machine), the ratio to P1 (the same bytes
from memory through Django's full stack: the floor the cached reads are held to),
SQL statements and Redis commands per request. ``--profile "<read> <path>"`` prints
a cProfile listing of that cell. The server's own share (gunicorn parsing the request
and writing the answer) is not in these figures; it is the same for every path.

Notes (issue #22): the full stack's middleware and URL resolver cost more than the
whole cached answer; the lean route (cms/graphql_reads.py) answers a cached read
from the environ. Tried and not kept: see docs/api.md, "Caching"."""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.graphql_api_server.settings"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("BENCH_STATIC_DIR", tempfile.mkdtemp(prefix="bench-reads-"))

import redis
from django.db import connection

from api import persisted
from bench import graphql_api
from cms.wsgi import _django as full_stack
from cms.wsgi import application

STATIC_DIR = Path(os.environ["BENCH_STATIC_DIR"])


def environ(path, query="", headers=None):
    out = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "18710", "HTTP_HOST": "127.0.0.1:18710",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "wrk",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    out.update(headers or {})
    return out


def call(env):
    status = []
    app = full_stack if env.get("bench.full_stack") else application
    chunks = app(dict(env, **{"wsgi.input": io.BytesIO(b"")}), lambda s, h, *a: status.append((s, h)))
    out = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return status[0], out


def paths(token, read):
    """{path id: environ} of P1, P2 and 304 of a read, checked to answer as the bench expects."""
    name, query_name, variables, *_ = read
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    query = urllib.parse.urlencode({"id": persisted.by_name(query_name).sha256, "variables": json.dumps(variables)})
    p2 = environ("/graphql/", query, auth)
    (status, headers), body = call(p2)
    assert status.startswith("200") and not body.startswith(b'{"errors"'), (status, body[:300])
    (STATIC_DIR / f"{graphql_api.slug(name)}.json").write_bytes(body)
    etag = dict(headers)["ETag"]
    out = {"P1": environ(f"/bench/static/{graphql_api.slug(name)}"), "P2": p2,
           "304": environ("/graphql/", query, {**auth, "HTTP_IF_NONE_MATCH": etag}),
           # the same cached read through Django's middleware and view: what the lean route saves
           "P2 via Django": {**p2, "bench.full_stack": True}}
    expected = {"P1": "200", "P2": "200", "304": "304", "P2 via Django": "200"}
    for path_id, env in out.items():
        (status, _), _ = call(env)
        assert status.startswith(expected[path_id]), (name, path_id, status)
    return out


def commands(client):
    return sum(v["calls"] for v in client.info("commandstats").values())


def measure(env, n, rounds, client):
    queries = []
    before = commands(client)
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        for _ in range(n):
            call(env)
    redis_per_request = (commands(client) - before - 1) / n  # less the INFO itself
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(n):
            call(env)
        times.append((time.process_time() - start) * 1e6 / n)
    return statistics.median(times), len(queries) / n, redis_per_request


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", default="R1,R2,R3,R4 changes n=10,R4 changes n=1000")
    parser.add_argument("-n", type=int, default=2000, help="requests per cell and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help='cell to profile with cProfile: "<read prefix> <path id>"')
    parser.add_argument("--sort", default="tottime", help="cProfile sort key")
    parser.add_argument("--top", type=int, default=40, help="functions the profile lists")
    args = parser.parse_args()
    accounts, token = graphql_api.bench_client()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    wanted = [r.strip() for r in args.reads.split(",")]
    # Cached reads are of persisted queries (R3h's document is not one).
    reads = [r for r in graphql_api.reads(accounts)
             if any(r[0].startswith(w) for w in wanted) and r[1] not in graphql_api.DOCUMENTS]
    print("| read | path | CPU µs/req | /P1 | SQL/req | Redis/req |\n|---|---|---|---|---|---|")
    for read in reads:
        cells = paths(token, read)
        floor = None
        for path_id, env in cells.items():
            cpu, sql, redis_calls = measure(env, args.n, args.rounds, client)
            floor = floor or cpu
            print(f"| {read[0]} | {path_id} | {cpu:.0f} | {floor / cpu:.2f}x | {sql:g} | {redis_calls:.3f} |",
                  flush=True)
            if args.profile and args.profile == f"{read[0][:len(args.profile.rsplit(' ', 1)[0])]} {path_id}":
                profiler = cProfile.Profile(time.process_time)
                with profiler:
                    for _ in range(args.n):
                        call(env)
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
