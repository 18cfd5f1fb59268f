"""CPU per request of the WeChat callback in plain and safe (AES) mode, in process,
through the WSGI application the bench server runs (``bench.callback:application``,
the lean route of ``callback.wsgi``), paired: the kinds alternate round by round so
that a change in the machine's load touches both alike.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/6 python bench/callback_profile.py \
        [--rounds 40] [-n 200] [--kinds plain,safe] [--profile safe]

Seeds the accounts of bench/callback.py, then for each round and kind sends ``n``
keyword messages (each a distinct MsgId, spread over the 30 accounts) and reads
``time.process_time`` around them, the message-log rows' write included (the flusher
thread is this process's). Short rounds, many of them: on a loaded machine the CPU a
request costs drifts with the load, and a pair of neighbouring rounds sees the same.
Prints each kind's median and best CPU µs per request and safe minus plain per pair
of rounds (median and quartiles); ``--profile`` prints a cProfile listing of one kind
(CPU time, so its own overhead is in it too: read it for proportions)."""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Sets the environment (base settings, DATABASE_URL, REDIS_URL) as the server has it.
from bench import callback as bench


def _messages(kind, accounts, n, first_id):
    """Requests made before the clock starts: their signing is WeChat's work, not ours."""
    return [(path, body.encode()) for path, body in bench.requests_for(kind, accounts, n, first_id)]


def _round(application, requests):
    from callback.logbook import logbook

    logbook.flush()
    started = time.process_time()
    for path, body in requests:
        bench._call(application, path, body)
    logbook.flush()  # the log rows' write counts too
    return (time.process_time() - started) * 1e6 / len(requests)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--kinds", default="plain,safe")
    parser.add_argument("--profile", default="")
    parser.add_argument("--callers", default="", help="with --profile: who calls functions matching this")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    accounts = bench.seed()
    __import__("bench.callback")  # as a module: builds the application gunicorn serves
    application = sys.modules["bench.callback"].application
    kinds = args.kinds.split(",")
    base = 4 * 10**15 + int(time.time()) % 10**6 * 10**4
    for kind in kinds:  # warm: imports, compiled tables, connections
        for path, body in _messages(kind, accounts, 200, base):
            status, content = bench._call(application, path, body)
            assert status.startswith("200") and content != b"success", (kind, status, content)
        base += 10**3

    if args.profile:
        requests = _messages(args.profile, accounts, args.n, base)
        profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for Redis
        profiler.enable()
        _round(application, requests)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
        stats.print_stats(40)
        if args.callers:
            stats.print_callers(args.callers)
        print(out.getvalue())
        return

    results = {kind: [] for kind in kinds}
    for n in range(args.rounds):
        order = kinds if n % 2 == 0 else kinds[::-1]
        for kind in order:
            base += args.n
            results[kind].append(_round(application, _messages(kind, accounts, args.n, base)))
    for kind in kinds:
        values = results[kind]
        print(f"{kind:6} median {statistics.median(values):6.1f} µs  best {min(values):6.1f} µs")
    if "plain" in results and "safe" in results:
        deltas = [s - p for p, s in zip(results["plain"], results["safe"], strict=True)]
        low, mid, high = statistics.quantiles(deltas, n=4)
        print(f"safe - plain per pair of rounds: median {mid:.1f} µs (quartiles {low:.1f} to {high:.1f})")


if __name__ == "__main__":
    main()
