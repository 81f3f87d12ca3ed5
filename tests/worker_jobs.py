"""Jobs for the worker-pool tests, in a module that imports nothing heavy: a worker imports it to
run them, and that import must not count against a one-second budget."""

from __future__ import annotations

import time


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def hog(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


def crash(message: str) -> None:
    raise RuntimeError(message)
