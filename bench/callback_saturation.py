"""The WeChat callback's saturation alone (issue #22), with where the machine's CPU
goes per request: a shorter run than bench/callback.py's full table.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/6 python bench/callback_saturation.py [SECONDS] [ROUNDS]

Same server, accounts and messages as bench/callback.py (gunicorn, 2 sync workers,
wrk on loopback, 16 unpaced connections), SECONDS per run (default 10), ROUNDS rounds
(default 3) with the paths taking turns. For each of P1 (raw WSGI floor), P1d (a bare
Django view), P2 (keyword, plain mode), P2e (safe mode) and P2r (a retry) it reads
every process's CPU time (utime + stime from /proc) before and after the run and
divides by the requests served: the gunicorn workers, the arbiter, redis-server, the
PostgreSQL backends of the workers, PostgreSQL's shared background processes, wrk,
and the rest of the machine (the kernel's unattributed work and other load). CPU per
request per process does not depend on what else the machine runs, unlike req/s. It
also counts how often per request the workers blocked (voluntary context switches).
Prints a table and writes bench/results/callback_saturation.md.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Sets the environment the server runs with, as bench/callback.py does.
from bench import callback as bench
from bench import proc_cpu, targets
from bench.proc_cpu import SHARES
from bench.report import median_run, save

PATHS = {"P1": "floor", "P1d": "django", "P2": "plain", "P2e": "safe", "P2r": "retry"}
CONNECTIONS = 16


def measure(server, script, seconds):
    """wrk's figures and the CPU seconds each share of the machine spent during the run."""
    return proc_cpu.measure(server.pid, lambda: bench.run_wrk(script, CONNECTIONS, seconds))


def run(seconds, rounds):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    accounts = bench.seed()
    results = {}
    server = bench.start_server()
    stamp = int(time.time()) % 10**6 * 1000
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            for n, (pid, kind) in enumerate(PATHS.items()):
                base = 3 * 10**15 + n * 10**9 + stamp
                warm = bench.write_lua(workdir, f"{pid}-warm", bench.requests_for(kind, accounts, 3000, base), 0)
                bench.run_wrk(warm, 4, 2)
            # The paths take turns, round by round: a change in the machine's load touches all alike.
            for r in range(rounds):
                for n, (pid, kind) in enumerate(PATHS.items()):
                    # Distinct MsgIds for 6,000 req/s; wrk's Lua takes at most 65,536 constants per file.
                    count = min(6000 * seconds, 60000)
                    base = 3 * 10**15 + n * 10**9 + (r + 1) * 10**8 + stamp
                    script = bench.write_lua(workdir, f"{pid}-{r}", bench.requests_for(kind, accounts, count, base), 0)
                    results.setdefault(pid, []).append(measure(server, script, seconds))
    finally:
        bench.stop_server(server)
    return results


def report(results, seconds, rounds, load):
    floor_rps = statistics.median(figures["rps"] for figures, _cpu, _busy in results["P1"])
    lines = [
        f"## WeChat callback saturation, CPU per request by process ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        (f"Machine: {bench.machine()}, load average {load:.1f} at the start. Server: gunicorn, {bench.WORKERS} sync "
         f"workers; wrk, {CONNECTIONS} unpaced connections, {seconds} s per path, {rounds} rounds with the paths "
         "taking turns (each path's run of median req/s shown; 'vs P1' is the ratio of median req/s; "
         "'vs P1 each round' the ratio within each round). CPU: utime + stime of each "
         "process from /proc before and after the run, over the requests served; 'rest of machine' is the "
         "machine's busy time (/proc/stat) minus those processes: the kernel's unattributed work and other load. "
         "'worker waits': the workers' voluntary context switches per request, each a block on a socket."),
        "",
        f"Command: `python bench/callback_saturation.py {seconds} {rounds}`",
        "",
        "| id | req/s | vs P1 | vs P1 each round | non-200 | " + " | ".join(f"{share} µs" for share in SHARES)
        + " | attributed µs | worker waits |",
        "|---|---|---|---|---|" + "---|" * (len(SHARES) + 2),
    ]
    for pid, runs in results.items():
        figures, cpu, _busy = median_run(runs, lambda run: run[0]["rps"])
        rps = statistics.median(run[0]["rps"] for run in runs)
        each = ", ".join(f"{run[0]['rps'] / floor[0]['rps']:.2f}" for run, floor in zip(runs, results["P1"], strict=True))
        requests = max(figures["requests"], 1)
        per, attributed = proc_cpu.per_request(cpu, requests)
        lines.append(
            f"| {pid} | {rps:.0f} | {rps / floor_rps:.2f}x | {each} | "
            f"{figures['non2xx'] + figures['socket_errors'] + figures['bad']} | "
            + " | ".join(f"{per[share]:.0f}" for share in SHARES)
            + f" | {attributed:.0f} | {figures['waits'] / requests:.2f} |"
        )
    lines.append("")
    save(lines, ROOT / "bench" / "results" / "callback_saturation.md")
    ratios = {pid: statistics.median(run[0]["rps"] for run in results[pid]) / floor_rps for pid in ("P2", "P2e")}
    targets.record("callback_saturation", [targets.row(
        "callback saturation at least 0.5x the raw WSGI floor, plain (P2) and safe mode (P2e), 16 connections",
        f"P2 {ratios['P2']:.2f}x, P2e {ratios['P2e']:.2f}x (median of {rounds} rounds)", min(ratios.values()) >= 0.5,
        f"raw WSGI floor (P1) {floor_rps:.0f} req/s in the same server, paths in turns")])


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    load = os.getloadavg()[0]
    report(run(seconds, rounds), seconds, rounds, load)


if __name__ == "__main__":
    main()
