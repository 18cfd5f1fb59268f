"""Writes BENCHMARKS.md from bench/results/*.md, with the date, machine and command."""

import datetime
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.targets import RESULTS, table

print("# Benchmarks\n")
print(f"Collected on {datetime.date.today().isoformat()} from `bench/results/*.md`; each section was written by "
      f"its script in `bench/` (`make bench` runs them all and rewrites this file). Machine: {platform.machine()} "
      f"Linux, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL 15, shared and noisy.")
print("Figures are ratios against a reference measured in the same run, on the same data")
print("(the full-scale legacy export unless a section says otherwise), as `docs/benchmarks.md` (Method) asks.\n")
targets = table()
if targets:
    print("## Speed targets (issue #22)\n")
    print("Each row is written by the script named beside it, in the run that wrote its section below.\n")
    print("\n".join(targets))
    print()
for path in sorted(RESULTS.glob("*.md")):
    text = path.read_text(encoding="utf-8").rstrip()
    # Each result is a section of this page: a script's top-level title becomes a second-level one.
    if text.startswith("# "):
        text = "#" + text
    print(text)
    print()
