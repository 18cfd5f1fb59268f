"""Issue #22's targets as each bench script met them: a script records its rows next to
its section (bench/results/<name>.targets.json) and bench/collect.py puts every script's
rows in one table at the top of BENCHMARKS.md, so a single `make bench` run answers
"is every target met?" with the figure and its reference side by side."""

import datetime
import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def row(target, figure, met, reference=""):
    """One target: what is asked, what was measured (and against what), and whether it holds."""
    return {"target": target, "figure": figure, "reference": reference, "met": bool(met)}


def record(name, rows, out=None):
    """``rows`` written for bench/collect.py beside the section ``out`` (or results/<name>.md)."""
    folder = Path(out).parent if out else RESULTS
    path = folder / f"{name}.targets.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    # BENCH_RUN names the `make bench` run (bin/bench sets it); a script run alone has none.
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    data = {"script": f"bench/{name}.py", "run": os.environ.get("BENCH_RUN", ""), "when": when, "rows": rows}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def table(results=RESULTS):
    """The markdown lines of every recorded target, script by script; [] when none is recorded."""
    files = sorted(results.glob("*.targets.json"))
    if not files:
        return []
    lines = ["| target | measured | reference | met | by |", "|---|---|---|---|---|"]
    runs = set()
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        runs.add(data["run"] or f"{data['script']} alone")
        for r in data["rows"]:
            lines.append(f"| {r['target']} | {r['figure']} | {r['reference']} | {'yes' if r['met'] else '**NO**'} | "
                         f"`{data['script']}` {data['when']} |")
    if len(runs) == 1 and "alone" not in next(iter(runs)):
        lines += ["", f"Every row comes from the one `make bench` run started {next(iter(runs))}."]
    else:
        lines += ["", f"The rows come from {len(runs)} runs: {', '.join(sorted(runs))}."]
    return lines
