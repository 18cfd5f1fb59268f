"""Where a served bench's CPU goes, from /proc: each process's utime + stime before and
after a load run (the gunicorn workers, the arbiter, redis-server, the PostgreSQL
backends of this database and PostgreSQL's shared processes, the load generator as
this process's children) and the rest of the machine's busy time. Used by
bench/callback_saturation.py and bench/graphql_saturation.py; not a bench itself."""

import os
import resource
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
SHARES = ("workers", "arbiter", "redis", "pg backends", "pg shared", "wrk", "rest of machine")


def _stat(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return {"ppid": int(fields[1]), "cpu": (int(fields[11]) + int(fields[12])) / TICK}


def waits(pids):
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


def children(ppid):
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


def measure(server_pid, load):
    """``load()``'s figures (a dict) with "waits" added, the CPU seconds each of ``SHARES``
    spent while it ran, and the machine's busy seconds; ``load`` runs the load generator
    as a child process of this one (wrk), so its CPU is this process's children's."""
    workers = children(server_pid)
    backends, shared = _postgres_pids()
    groups = {"workers": workers, "arbiter": [server_pid], "redis": [_redis_pid()], "pg backends": backends,
              "pg shared": shared}
    before = {name: _cpu_of(pids) for name, pids in groups.items()}
    blocked = waits(workers)
    busy, wrk_before = _machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = load()
    wrk_after, busy = resource.getrusage(resource.RUSAGE_CHILDREN), _machine_busy() - busy
    # Backends opened during the run (a log writer reconnecting) count from zero.
    groups["pg backends"] = sorted(set(backends) | set(_postgres_pids()[0]))
    cpu = {name: sum(seconds - before[name].get(pid, 0) for pid, seconds in _cpu_of(pids).items())
           for name, pids in groups.items()}
    cpu["wrk"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
    cpu["rest of machine"] = max(0.0, busy - sum(cpu.values()))
    figures["waits"] = waits(workers) - blocked
    return figures, cpu, busy


def per_request(cpu, requests):
    """µs of CPU per request of each share, and the attributed sum (all but the rest of the machine)."""
    per = {share: cpu[share] * 1e6 / max(requests, 1) for share in SHARES}
    return per, sum(v for share, v in per.items() if share != "rest of machine")
