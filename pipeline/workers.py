"""Worker processes that parse one document at a time under the per-document budgets.

Each call runs in a worker process whose address space is capped (PARSE_MAX_MEMORY_BYTES) and
whose answer is awaited at most PARSE_MAX_SECONDS; a worker that overruns is killed and replaced,
and the call raises `WorkerFailed` with a one-line, named reason, while the other workers go on.
Workers are forked from a forkserver that preloads the parser, and die with it: the kernel kills
them (PR_SET_PDEATHSIG) when the forkserver exits, which it does when this process goes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from pipeline import limits
from pipeline.processes import die_with_parent, limit_memory, make_temp_dir, remove_temp_dir

_START_SECONDS = 120.0
_OUT_OF_MEMORY = 3  # a worker's exit status when even its answer did not fit in its memory
Job = TypeVar("Job")
Result = TypeVar("Result")


class WorkerFailed(Exception):
    """A call that did not return: `name` is the error's name for the run summary."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.name = name


def _serve(conn: Connection, memory_bytes: int) -> None:
    """A worker's loop: one (function, arguments) at a time, until told to stop or orphaned."""
    die_with_parent()
    limit_memory(memory_bytes)
    conn.send(("ready", ""))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        outcome = _run(*message)  # the failed call's frames are released before answering
        del message
        try:
            conn.send(outcome)
        except MemoryError:
            os._exit(_OUT_OF_MEMORY)
        if outcome[0] == "memory":
            return  # the heap may be in no state to go on: the pool replaces this worker


def _run(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return ("ok", fn(*args))
    except MemoryError:
        return ("memory", "")
    except Exception as exc:  # answered as a named failure: the caller records it
        return ("error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])


class _Worker:
    def __init__(self, context: Any, memory_bytes: int) -> None:
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child, memory_bytes), daemon=True)
        self.process.start()
        child.close()
        # Starting (the forkserver's first boot, on a busy machine) is not the document's time.
        if not self.conn.poll(_START_SECONDS) or self.conn.recv()[0] != "ready":
            self.stop(kill=True)
            raise WorkerFailed("parse_worker_died", f"a worker did not start within {_START_SECONDS:g} s")

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float, memory_bytes: int) -> Any:
        try:
            self.conn.send((fn, args))
            if not self.conn.poll(seconds):
                raise WorkerFailed(
                    "parse_timeout", f"over PARSE_MAX_SECONDS ({seconds:g} s); the worker was killed"
                )
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(1)
            if self.process.exitcode == _OUT_OF_MEMORY:
                kind = "memory"
            else:
                raise WorkerFailed(
                    "parse_worker_died", f"the worker process exited (code {self.process.exitcode})"
                ) from None
        if kind == "memory":
            raise WorkerFailed(
                "parse_memory", f"over PARSE_MAX_MEMORY_BYTES ({memory_bytes / 2**20:.0f} MiB)"
            )
        if kind == "error":
            raise WorkerFailed("parse_crashed", value)
        return value

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError):  # already gone
                self.conn.send(None)
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _own_multiprocessing_temp_dir() -> None:
    """multiprocessing keeps the forkserver's socket in a `pymp-*` folder that only a clean exit
    removes; made a `nianbao-mp-*` folder naming its owner instead, the next run removes what a
    killed one left (`processes.remove_stale_temp`)."""
    # Where multiprocessing.util.get_temp_dir looks first (a private but long-standing attribute).
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    if "tempdir" in config:
        return
    path = make_temp_dir("mp")
    config["tempdir"] = str(path)
    multiprocessing.util.Finalize(None, remove_temp_dir, args=(path,), exitpriority=-100)


class IsolatedPool:
    """`workers` processes, each call in one of them under a time and a memory budget.

    Thread-safe: the crawl calls it from its thread pool, `map` from its own threads.
    """

    def __init__(
        self,
        workers: int,
        *,
        seconds: float = limits.PARSE_MAX_SECONDS,
        memory_bytes: int = limits.PARSE_MAX_MEMORY_BYTES,
        preload: Sequence[str] = ("pipeline.parse_jobs",),
    ) -> None:
        self.workers = max(1, workers)
        self.seconds, self.memory_bytes = seconds, memory_bytes
        _own_multiprocessing_temp_dir()
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def call(self, fn: Callable[..., Result], *args: Any) -> Result:
        """`fn(*args)` in a worker (`fn` at module level, so that it pickles); WorkerFailed when
        the worker overran a budget, died, or `fn` raised."""
        worker = self._take()
        try:
            return worker.call(fn, args, self.seconds, self.memory_bytes)
        except WorkerFailed:
            worker.stop(kill=True)
            with self._lock:
                self._all.remove(worker)
            worker = self._spawn()
            raise
        finally:
            self._idle.put(worker)

    def map(self, fn: Callable[[Job], Result], jobs: Iterable[Job]) -> Iterator[Result | WorkerFailed]:
        """`fn` over `jobs`, results in job order; a job that failed yields its WorkerFailed."""

        def one(job: Job) -> Result | WorkerFailed:
            try:
                return self.call(fn, job)
            except WorkerFailed as failed:
                return failed

        with ThreadPoolExecutor(self.workers) as threads:
            yield from threads.map(one, jobs)

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is closed")
            if self._idle.empty() and len(self._all) < self.workers:
                return self._spawn_locked()
        return self._idle.get()

    def _spawn(self) -> _Worker:
        with self._lock:
            return self._spawn_locked()

    def _spawn_locked(self) -> _Worker:
        worker = _Worker(self._context, self.memory_bytes)
        self._all.append(worker)
        return worker

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()

    def __enter__(self) -> IsolatedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
