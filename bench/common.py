"""What the dataset, panel and grep benchmarks share: the size of the synthetic archive they run on,
and timers."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds the action took, and what it returned."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cpu_timed(action: Callable[[], T]) -> tuple[float, float, T]:
    """Wall seconds, CPU seconds (this process and the worker processes it waited for) and what
    the action returned. On a shared machine the CPU figure is the action's own cost."""
    start, before = time.perf_counter(), os.times()
    result = action()
    wall, after = time.perf_counter() - start, os.times()
    cpu = sum(after[:4]) - sum(before[:4])  # user, system, children's user, children's system
    return wall, cpu, result


def synthetic_arguments(description: str, *, real_format: bool = False) -> argparse.Namespace:
    """--agencies, --years and --work (the scratch folder both benchmarks reuse); --real-format
    when asked (bench_datasets.py: report files in every format, ingested)."""
    parser = argparse.ArgumentParser(description=description)
    if real_format:
        parser.add_argument(
            "--real-format", action="store_true", help="report files in every format, added by ingest"
        )
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("bench/out/datasets"), help="scratch folder")
    return parser.parse_args()
