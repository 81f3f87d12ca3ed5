"""One writer per output folder: the lock `crawl`, `nightly`, `datasets`, `reparse` and `compact` take.

`OUT/.nianbao.lock` holds who has it (pid, host, start time, command) and an exclusive `flock` on
it. The kernel drops the flock when its process dies, however it dies (SIGKILL included), so a
lock left by a dead run is taken over by the next one; the file's contents then only say whose it
was. A second run while the first is alive fails at once and names the holder.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

LOCK_NAME = ".nianbao.lock"


class LockHeld(Exception):
    """Another live process holds the output folder."""


class OutputLock:
    """`with OutputLock(out):` — held for the block; `previous` is the dead holder taken over, if any.

    `shared=True` is for processes that may write OUT side by side (workers of one distributed
    crawl, whose archive writes are atomic): they share the lock, and exclude every exclusive
    holder (a plain crawl, `datasets`) as it excludes them."""

    def __init__(self, out: str | Path, command: str = "", *, shared: bool = False) -> None:
        self.path = Path(out) / LOCK_NAME
        self.command = command or " ".join(["nianbao", *sys.argv[1:]])
        self.shared = shared
        self.previous: dict[str, Any] | None = None
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise LockHeld(f"{self.path.parent} is locked by {describe(holder)}") from None
        self.previous = _read(fd) or None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": self.command,
        }
        if self.shared:
            holder["shared"] = True
            self.previous = None  # the file names another sharer, alive or not: nothing taken over
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        # Emptied, not removed: removing would let a third process lock a new file while a second
        # one still waits on the old inode. A sharer leaves the file to the others.
        if not self.shared:
            os.ftruncate(self._fd, 0)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "another process (no details recorded)"
    among = " (among other workers)" if holder.get("shared") else ""
    return (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since {holder.get('started_at', '?')}"
        f" ({holder.get('command', '?')}){among}"
    )


def _read(fd: int) -> dict[str, Any]:
    raw = os.pread(fd, 4096, 0)
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
