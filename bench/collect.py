"""Writes BENCHMARKS.md from bench/results/*.md, with the date, machine and command."""

import datetime
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

print("# Benchmarks\n")
print(f"Produced by `bin/bench` (`make bench`) on {datetime.date.today().isoformat()}, "
      f"{platform.machine()} Linux, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL.")
print("Figures are ratios against a reference measured in the same run, on the same data")
print("(the full-scale legacy export), as `../shared/docs/BENCHMARKING.md` asks.\n")
for path in sorted(RESULTS.glob("*.md")):
    print(path.read_text(encoding="utf-8").rstrip())
    print()
