"""The WeChat callback's saturation alone (issue #22), with where the machine's CPU
goes per request: a shorter run than bench/callback.py's full table.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/6 python bench/callback_saturation.py [SECONDS]

Same server, accounts and messages as bench/callback.py (gunicorn, 2 sync workers,
wrk on loopback, 16 unpaced connections). For each of P1 (raw WSGI floor), P1d (a bare
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
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Sets the environment the server runs with, as bench/callback.py does.
from bench import callback as bench
from bench.report import save

PATHS = {"P1": "floor", "P1d": "django", "P2": "plain", "P2e": "safe", "P2r": "retry"}
CONNECTIONS = 16
TICK = os.sysconf("SC_CLK_TCK")
SHARES = ("workers", "arbiter", "redis", "pg backends", "pg shared", "wrk", "rest of machine")


def _stat(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return {"ppid": int(fields[1]), "cpu": (int(fields[11]) + int(fields[12])) / TICK}


def _waits(pids):
    """Voluntary context switches of the processes: each time one blocked (on a socket)."""
    total = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in lines if line.startswith("voluntary_ctxt_switches"))
    return total


def _machine_busy():
    """Seconds of CPU the whole machine spent busy (every core, every process, the kernel)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK


def _children(ppid):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(entry)
            if stat and stat["ppid"] == ppid:
                pids.append(int(entry))
    return pids


def _postgres_pids():
    """(backends of this database but this process's own, PostgreSQL's shared background processes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, datname = current_database() FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (datname = current_database() OR backend_type <> 'client backend')"
        )
        rows = cursor.fetchall()
    return [pid for pid, own in rows if own], [pid for pid, own in rows if not own]


def _redis_pid():
    import redis

    return int(redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"])


def _cpu_of(pids):
    return {pid: stat["cpu"] for pid in pids if (stat := _stat(pid))}


def measure(server, script, seconds):
    """wrk's figures and the CPU seconds each share of the machine spent during the run."""
    workers = _children(server.pid)
    backends, shared = _postgres_pids()
    groups = {"workers": workers, "arbiter": [server.pid], "redis": [_redis_pid()], "pg backends": backends,
              "pg shared": shared}
    before = {name: _cpu_of(pids) for name, pids in groups.items()}
    waits = _waits(workers)
    busy, wrk_before = _machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = bench.run_wrk(script, CONNECTIONS, seconds)
    wrk_after, busy = resource.getrusage(resource.RUSAGE_CHILDREN), _machine_busy() - busy
    # Backends opened during the run (a log writer reconnecting) count from zero.
    groups["pg backends"] = sorted(set(backends) | set(_postgres_pids()[0]))
    cpu = {name: sum(seconds - before[name].get(pid, 0) for pid, seconds in _cpu_of(pids).items())
           for name, pids in groups.items()}
    cpu["wrk"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
    cpu["rest of machine"] = max(0.0, busy - sum(cpu.values()))
    figures["waits"] = _waits(workers) - waits
    return figures, cpu, busy


def run(seconds):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    accounts = bench.seed()
    results = {}
    server = bench.start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            for n, (pid, kind) in enumerate(PATHS.items()):
                base = 3 * 10**15 + n * 10**9 + int(time.time()) % 10**6 * 1000
                warm = bench.write_lua(workdir, f"{pid}-warm", bench.requests_for(kind, accounts, 3000, base), 0)
                bench.run_wrk(warm, 4, 2)
                # Distinct MsgIds for 6,000 req/s; wrk's Lua takes at most 65,536 constants per file.
                count = min(6000 * seconds, 60000)
                script = bench.write_lua(workdir, pid, bench.requests_for(kind, accounts, count, base + 10**8), 0)
                results[pid] = measure(server, script, seconds)
    finally:
        bench.stop_server(server)
    return results


def report(results, seconds, load):
    floor_rps = results["P1"][0]["rps"]
    lines = [
        f"## WeChat callback saturation, CPU per request by process ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        (f"Machine: {bench.machine()}, load average {load:.1f} at the start. Server: gunicorn, {bench.WORKERS} sync "
         f"workers; wrk, {CONNECTIONS} unpaced connections, {seconds} s per path. CPU: utime + stime of each "
         "process from /proc before and after the run, over the requests served; 'rest of machine' is the "
         "machine's busy time (/proc/stat) minus those processes: the kernel's unattributed work and other load. "
         "'worker waits': the workers' voluntary context switches per request, each a block on a socket."),
        "",
        "Command: `python bench/callback_saturation.py " + str(seconds) + "`",
        "",
        "| id | req/s | vs P1 | non-200 | " + " | ".join(f"{share} µs" for share in SHARES)
        + " | attributed µs | worker waits |",
        "|---|---|---|---|" + "---|" * (len(SHARES) + 2),
    ]
    for pid, (figures, cpu, _busy) in results.items():
        requests = max(figures["requests"], 1)
        per = {share: cpu[share] * 1e6 / requests for share in SHARES}
        attributed = sum(v for share, v in per.items() if share != "rest of machine")
        lines.append(
            f"| {pid} | {figures['rps']:.0f} | {figures['rps'] / floor_rps:.2f}x | "
            f"{figures['non2xx'] + figures['socket_errors'] + figures['bad']} | "
            + " | ".join(f"{per[share]:.0f}" for share in SHARES)
            + f" | {attributed:.0f} | {figures['waits'] / requests:.2f} |"
        )
    lines.append("")
    save(lines, ROOT / "bench" / "results" / "callback_saturation.md")


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    load = os.getloadavg()[0]
    report(run(seconds), seconds, load)


if __name__ == "__main__":
    main()
