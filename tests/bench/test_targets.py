"""BENCHMARKS.md's target table: every script's verdicts, and whether they are from one run."""

from bench import targets


def test_rows_of_one_make_bench_run_are_said_to_be_from_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RUN", "2026-12-07 13:00 UTC")
    targets.record("import_legacy", [targets.row("import under 20 s", "14.0 s", True, "floor 3.1 s")],
                   tmp_path / "import_legacy.md")
    targets.record("callback", [targets.row("p99 under 10 ms", "P2e 12.00 ms", False)], tmp_path / "callback.md")

    lines = targets.table(tmp_path)

    assert "| import under 20 s | 14.0 s | floor 3.1 s | yes | `bench/import_legacy.py`" in "\n".join(lines)
    assert "| p99 under 10 ms | P2e 12.00 ms |  | **NO** | `bench/callback.py`" in "\n".join(lines)
    assert lines[-1] == "Every row comes from the one `make bench` run started 2026-12-07 13:00 UTC."


def test_rows_from_separate_runs_are_not_passed_off_as_one(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RUN", "2026-12-07 13:00 UTC")
    targets.record("graphql_api", [targets.row("P3 at least 1.0x P6", "R1 1.10x", True)], tmp_path / "a.md")
    monkeypatch.delenv("BENCH_RUN")
    targets.record("graphql_worst", [targets.row("under 1 s of CPU", "W6 371 ms", True)], tmp_path / "b.md")

    lines = targets.table(tmp_path)

    assert lines[-1] == "The rows come from 2 runs: 2026-12-07 13:00 UTC, bench/graphql_worst.py alone."


def test_no_recorded_target_gives_no_table(tmp_path):
    assert targets.table(tmp_path) == []
