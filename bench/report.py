"""Where a bench script's figures go: its markdown section, printed and written to its
file under bench/results/ (bench/collect.py gathers those into BENCHMARKS.md)."""

from pathlib import Path


def save(lines, out):
    """The section ``lines`` (markdown, one a line) printed and written to ``out``, its
    folder made if missing (printed only when ``out`` is empty); the text."""
    text = "\n".join(lines).rstrip("\n") + "\n"
    print(text)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
    return text


def median_run(runs, rps=lambda run: run["rps"]):
    """The run of median throughput among ``runs`` (of an even count, the upper middle one)."""
    return sorted(runs, key=rps)[len(runs) // 2]
