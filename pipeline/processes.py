"""Child processes that never outlive nianbao, and the places nianbao may write outside `--out`.

A crawl killed with SIGKILL runs no cleanup code, so every child is tied to its parent by the
kernel instead: `die_with_parent` (Linux `PR_SET_PDEATHSIG`) is the first thing each worker and
each LibreOffice launcher does. Temporary folders of a killed run are removed by the next one
(`remove_stale_temp`); the one cache folder is `pipeline.cache`'s.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import tempfile
from pathlib import Path

TEMP_PREFIX = "nianbao-"  # every temporary folder nianbao makes: /tmp/nianbao-lo-*, …
_PR_SET_PDEATHSIG = 1
_OWNER_FILE = ".owner-pid"


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux; elsewhere a
    no-op). Call it in the child, first thing; a parent already gone means exit now."""
    parent = os.getppid()
    # The libc already loaded in this process (not `ctypes.util.find_library`, which runs
    # ldconfig in a subprocess: slow under load, and the child is unprotected meanwhile).
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = getattr(libc, "prctl", None)
    if prctl is None or prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space: an allocation past it fails (MemoryError), and a
    runaway document cannot take the machine's memory."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        max_bytes = min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, hard))


def make_temp_dir(kind: str) -> Path:
    """A private temporary folder `/tmp/nianbao-<kind>-*` that names its owner process, so that a
    later run can remove it if the owner was killed before it could."""
    remove_stale_temp()
    path = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{kind}-"))
    (path / _OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    return path


def remove_temp_dir(path: Path) -> None:
    """Remove a folder of `make_temp_dir`, its owner file last: a removal cut short by a kill
    still names its (dead) owner, so the next run finishes it."""
    with contextlib.suppress(OSError):
        for child in path.iterdir():
            if child.name == _OWNER_FILE:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    shutil.rmtree(path, ignore_errors=True)


def temp_owner(path: Path) -> int | None:
    """The process that made a `make_temp_dir` folder; None when it names none (or is gone)."""
    try:
        return int((path / _OWNER_FILE).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def remove_stale_temp(root: Path | None = None) -> list[Path]:
    """Remove nianbao temporary folders whose owner process no longer runs; returns them."""
    removed = []
    for path in (root or Path(tempfile.gettempdir())).glob(f"{TEMP_PREFIX}*"):
        owner = temp_owner(path)
        if owner is None:
            continue  # not ours to judge (or being created right now)
        if not is_running(owner):
            remove_temp_dir(path)
            removed.append(path)
    return removed


def is_running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has finished: in a container whose init does not reap orphans, a killed run's
    # workers stay zombies indefinitely and must not keep their folders alive.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc (not Linux): the signal test is all there is
    return stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] != "Z"
