"""Hostile-input benchmark: what each document of the hostile corpus costs before a budget stops it.

    .venv/bin/python bench/bench_hostile.py

Every document of tests/hostile_corpus.py is parsed in a fresh worker process of the parse pool
(pipeline.workers, the crawl's own budgets), and the bench prints its size, the wall time of
the parse, the worker's peak RSS, and the outcome. The budgets' job is that no line is far from
an ordinary report's cost: seconds, not minutes; hundreds of MB, not GB.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def parse_and_measure(data: bytes, filename: str) -> tuple[float, int, str]:
    """(seconds, peak RSS in MiB, outcome) of one parse, in the worker that ran it."""
    from pipeline.parse import parse_report

    start = time.perf_counter()
    report = parse_report(data, filename)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return seconds, peak, report.status if report.status != "failed" else (report.error or "")[:60]


def main() -> None:
    from hostile_corpus import HOSTILE_INPUTS

    from pipeline.workers import IsolatedPool

    print(f"{'document':52s} {'bytes':>10s} {'parse s':>8s} {'peak MiB':>9s}  outcome")
    for case in HOSTILE_INPUTS:
        data, _truth = case.build()
        with IsolatedPool(1) as pool:  # a fresh worker: its peak RSS is this document's
            seconds, peak, outcome = pool.call(parse_and_measure, data, case.filename)
        print(f"{case.name:52s} {len(data):10d} {seconds:8.2f} {peak:9d}  {outcome}")
    print("command: .venv/bin/python bench/bench_hostile.py")


if __name__ == "__main__":
    main()
