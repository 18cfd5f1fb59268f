"""Where the machine's CPU goes per request at saturation for the small uncached reads
(issue #22: P3 full GraphQL against P6, the hand-written view, and P4 grapple), by
process: a shorter run than bench/graphql_api.py's full table.

    DATABASE_URL=postgres://.../cms_bench REDIS_URL=redis://127.0.0.1:6379/9 DEBUG=false \\
        python bench/graphql_saturation.py [--reads "R1,R3h,R4 changes n=10"] [--seconds 8] [--rounds 2]

Same server, data, token and requests as bench/graphql_api.py (gunicorn, 2 sync
workers, wrk on loopback, 16 connections, run after it has loaded the data). For each
read, P1r (the same bytes from a raw WSGI callable), P3, P4 (where grapple answers) and
P6 take turns for ``--rounds`` rounds; each run reads every process's CPU (utime +
stime from /proc, bench/proc_cpu.py) before and after and divides by the requests
served: the gunicorn workers, the arbiter, redis-server, the PostgreSQL backends,
PostgreSQL's shared processes, wrk and the rest of the machine. CPU per request per
process does not depend on what else the machine runs, unlike req/s: it says whether a
ratio of req/s is set by the project's code (the workers' share) or by what every path
pays alike on two shared cores (wrk, the kernel, PostgreSQL). Writes
bench/results/graphql_saturation.md.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import (
    graphql_api,
    proc_cpu,
)
from bench.proc_cpu import SHARES
from bench.report import save

CONNECTIONS = 16
PATHS = ("P1r", "P3", "P4", "P6")


def plans(reads, static_dir):
    """(read, [(path id, URL path, wrk script)]) of the chosen reads."""
    accounts, token = graphql_api.bench_client()
    out = []
    for read in graphql_api.reads(accounts):
        if not any(read[0] == w or read[0].startswith(w + " ") for w in reads):
            continue
        _counts, post_body, get_params, etag = graphql_api.in_process(token, read, static_dir)
        scripts = graphql_api.scripts(token, post_body, get_params, etag, *read[3:], read[0])
        out.append((read[0], [s for s in scripts if s[0] in PATHS]))
    return out


def run(chosen, seconds, rounds, port):
    static_dir = Path(tempfile.mkdtemp(prefix="bench-graphql-sat-"))
    results = {}
    try:
        work = plans(chosen, static_dir)
        server = graphql_api.serve(port, static_dir)
        try:
            for name, paths in work:
                for path_id, path, script in paths:  # warm every worker's caches
                    graphql_api.wrk(f"http://127.0.0.1:{port}{path}", script, 4, 1)
                for _ in range(rounds):
                    for path_id, path, script in paths:
                        graphql_api.drain(port)
                        url = f"http://127.0.0.1:{port}{path}"
                        figures, cpu, _busy = proc_cpu.measure(
                            server.pid, lambda url=url, script=script: graphql_api.wrk(url, script, CONNECTIONS, seconds))
                        results.setdefault(name, {}).setdefault(path_id, []).append((figures, cpu))
                        print(name, path_id, round(figures["rps"]), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(static_dir, ignore_errors=True)
    return results


def report(results, seconds, rounds, load, out):
    lines = [
        f"## GraphQL saturation, CPU per request by process ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        (f"Full-scale data (bench/graphql_api.py's), gunicorn 2 sync workers, wrk {CONNECTIONS} connections, "
         f"{seconds} s per run, {rounds} rounds with the paths taking turns (medians); load average {load:.1f} at "
         "the start. µs of CPU per request of each process group (utime + stime from /proc over the requests "
         "served); 'rest of machine' is the machine's busy time minus those: the kernel's unattributed work "
         "(loopback networking) and other load. 'worker waits': the workers' blocks on a socket per request."),
        "",
        "Command: `python bench/graphql_saturation.py`",
        "",
        "| read | path | req/s | vs P6 | " + " | ".join(f"{share} µs" for share in SHARES)
        + " | attributed µs | worker waits |",
        "|---|---|---|---|" + "---|" * (len(SHARES) + 2),
    ]
    for name, paths in results.items():
        rps = {path_id: statistics.median(f["rps"] for f, _ in runs) for path_id, runs in paths.items()}
        for path_id, runs in paths.items():
            pers = [proc_cpu.per_request(cpu, figures["requests"]) for figures, cpu in runs]
            per = {share: statistics.median(p[0][share] for p in pers) for share in SHARES}
            attributed = statistics.median(p[1] for p in pers)
            waits = statistics.median(f["waits"] / max(f["requests"], 1) for f, _ in runs)
            versus = f"{rps[path_id] / rps['P6']:.2f}x" if "P6" in rps else "n/a"
            lines.append(f"| {name} | {graphql_api.LABELS[path_id]} | {rps[path_id]:.0f} | {versus} | "
                         + " | ".join(f"{per[share]:.0f}" for share in SHARES)
                         + f" | {attributed:.0f} | {waits:.2f} |")
    lines.append("")
    save(lines, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", default="R1,R3h,R4 changes n=10")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18711")))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "graphql_saturation.md"))
    args = parser.parse_args()
    load = os.getloadavg()[0]
    chosen = [r.strip() for r in args.reads.split(",")]
    report(run(chosen, args.seconds, args.rounds, args.port), args.seconds, args.rounds, load, args.out)


if __name__ == "__main__":
    main()
