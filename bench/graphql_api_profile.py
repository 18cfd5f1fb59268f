"""CPU per request of the uncached GraphQL POST (path P3 of bench/graphql_api.py),
in-process through the project's WSGI application, on the data that bench loaded.

    DATABASE_URL=postgres://.../db python bench/graphql_api_profile.py [--reads R2,R3] [-n 300] [--profile R3]
    DATABASE_URL=... python bench/graphql_api_profile.py --reads "R1,R4 changes n=10" --paths P3,P6 --rounds 9

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

from cms.wsgi import application  # noqa: E402


def environ(token, body, path="/graphql/"):
    """A POST of ``body`` to ``path`` (the token sent when given), or a GET of ``path`` with its query string."""
    path, _, query_string = path.partition("?")
    out = {
        "REQUEST_METHOD": "POST" if body is not None else "GET", "PATH_INFO": path, "SCRIPT_NAME": "",
        "QUERY_STRING": query_string, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8600",
        "HTTP_HOST": "127.0.0.1:8600", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(body or b""),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if body is not None:
        out.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    if token is not None:
        out["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return out


def call(token, body, path="/graphql/"):
    status = []
    chunks = application(environ(token, body, path), lambda s, h, *a: status.append(s))
    out = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    assert status[0].startswith("200") and not out.startswith(b'{"errors"'), (status, out[:300])
    return out


def cpu_ms(n, rounds, requests):
    """{path: (median, best) CPU ms per call} of each of ``requests`` ({path: call}),
    over ``rounds`` rounds of ``n`` calls, the paths taking turns within each round so
    that the load of other processes weighs on each alike (their ratio is what counts)."""
    times = {path: [] for path in requests}
    for _ in range(rounds):
        for path, request in requests.items():
            start = time.process_time()
            for _ in range(n):
                request()
            times[path].append((time.process_time() - start) * 1000 / n)
    return {path: (statistics.median(out), min(out)) for path, out in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", default="R1,R2,R3,R4 changes n=10,R4 changes n=1000")
    parser.add_argument("--paths", default="P3", help="paths to measure: P3 and any of P4, P6 (ratios to P3)")
    parser.add_argument("-n", type=int, default=300, help="requests per read (a tenth of them for R4 n=1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="read to profile with cProfile")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--top", type=int, default=60, help="functions the profile lists")
    args = parser.parse_args()
    accounts, token = graphql_api.bench_client()
    wanted = [r.strip() for r in args.reads.split(",")]
    paths = [p.strip() for p in args.paths.split(",")]
    # A read by its whole name or its first words ("R4" is every R4 read, "R4 changes n=10" that one alone).
    reads = [r for r in graphql_api.reads(accounts) if any(r[0] == w or r[0].startswith(w + " ") for w in wanted)]
    for name, query_name, variables, p4, _, p6 in reads:
        body = json.dumps(graphql_api.p3_request(query_name, variables)).encode()
        requests = {"P3": lambda body=body: call(token, body)}
        if p4:
            requests["P4"] = lambda p4=p4: call(None, p4.encode(), "/bench/grapple/")
        if p6:
            requests["P6"] = lambda p6=p6: call(None, None, p6)
        n = max(10, args.n // 10) if "1000" in name else args.n
        chosen = {path_id: requests[path_id] for path_id in paths if path_id in requests}
        sizes, counts = {}, {}
        for path_id, request in chosen.items():
            sizes[path_id] = len(request())
            queries = []
            with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
                request()
            counts[path_id] = len(queries)
        measured = cpu_ms(n, args.rounds, chosen)
        for path_id, (median, best) in measured.items():
            print(f"{name} {path_id}: {median:.2f} CPU ms/req median, {best:.2f} best, "
                  f"{counts[path_id]} SQL, {sizes[path_id]} bytes", flush=True)
        for path_id in ("P4", "P6"):
            if path_id in measured and "P3" in measured:
                print(f"{name} P3/{path_id} (CPU, as a throughput ratio): "
                      f"{measured[path_id][0] / measured['P3'][0]:.2f}x", flush=True)
        if args.profile and name.startswith(args.profile):
            profiler = cProfile.Profile(time.process_time)
            with profiler:
                for _ in range(n):
                    requests["P3"]()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
