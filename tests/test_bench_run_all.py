"""`make bench` runs every benchmark: each bench/bench_*.py has its small size in bench/run_all.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_every_benchmark_has_a_small_size() -> None:
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    assert spec is not None and spec.loader is not None
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    files = {path.stem.removeprefix("bench_") for path in BENCH.glob("bench_*.py")}
    assert files == set(run_all.SMALL)
    assert run_all.benchmarks() == list(run_all.SMALL)
