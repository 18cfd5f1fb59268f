"""CPU per request of the uncached GraphQL POST (path P3 of bench/graphql_api.py),
in-process through the project's WSGI application, on the data that bench loaded.

    DATABASE_URL=postgres://.../db python bench/graphql_api_profile.py [--reads R2,R3] [-n 300] [--profile R3]

Prints CPU ms per request (process time, so the database's own time is left out
but the driver's is in) and SQL per request of each read; ``--profile`` prints a
cProfile listing of that read."""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.graphql_api_server.settings"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

from bench import graphql_api  # noqa: E402 (sets Django up)
from django.db import connection  # noqa: E402

from api import persisted  # noqa: E402
from cms.wsgi import application  # noqa: E402


def environ(token, body):
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/graphql/", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8600", "HTTP_HOST": "127.0.0.1:8600",
        "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token}", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def call(token, body):
    status = []
    chunks = application(environ(token, body), lambda s, h, *a: status.append(s))
    out = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    assert status[0].startswith("200") and not out.startswith(b'{"errors"'), (status, out[:300])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", default="R1,R2,R3,R4 changes n=10,R4 changes n=1000")
    parser.add_argument("-n", type=int, default=300, help="requests per read (a tenth of them for R4 n=1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="read to profile with cProfile")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--top", type=int, default=60, help="functions the profile lists")
    args = parser.parse_args()
    accounts, token = graphql_api.bench_client()
    wanted = [r.strip() for r in args.reads.split(",")]
    reads = [r for r in graphql_api.reads(accounts) if any(r[0].startswith(w) for w in wanted)]
    for name, query_name, variables, *_ in reads:
        body = json.dumps({"id": persisted.by_name(query_name).sha256, "variables": variables}).encode()
        size = len(call(token, body))
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            call(token, body)
        n = max(10, args.n // 10) if "1000" in name else args.n
        rounds = []
        for _ in range(args.rounds):
            start = time.process_time()
            for _ in range(n):
                call(token, body)
            rounds.append((time.process_time() - start) * 1000 / n)
        print(f"{name}: {statistics.median(rounds):.2f} CPU ms/req median, {min(rounds):.2f} best (rounds {', '.join(f'{r:.2f}' for r in rounds)}), "
              f"{len(queries)} SQL, {size} bytes", flush=True)
        if args.profile and name.startswith(args.profile):
            profiler = cProfile.Profile(time.process_time)
            with profiler:
                for _ in range(n):
                    call(token, body)
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
