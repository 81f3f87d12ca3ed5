"""Map a function over jobs on every CPU, in order, with a progress bar on stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from typing import TypeVar

from tqdm import tqdm

from pipeline.processes import die_with_parent

Job = TypeVar("Job")
Result = TypeVar("Result")
# Below this many jobs, starting worker processes costs more than it saves.
_PARALLEL_FROM = 64


def parallel_map(
    fn: Callable[[Job], Result],
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    progress: bool = False,
    desc: str = "",
    unit: str = "it",
) -> Iterator[Result]:
    """`fn` (a module-level function, so that it pickles) over `jobs`, results in job order."""
    workers = workers or os.cpu_count() or 1
    with ExitStack() as stack:
        bar = stack.enter_context(
            tqdm(total=len(jobs), desc=desc, unit=unit, file=sys.stderr, disable=not progress)
        )
        results: Iterator[Result] = map(fn, jobs)
        if workers > 1 and len(jobs) >= _PARALLEL_FROM:
            pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent)
            results = stack.enter_context(pool).map(fn, jobs, chunksize=8)
        for result in results:
            bar.update()
            yield result
