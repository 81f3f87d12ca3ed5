"""Where the parser keeps what is costly to redo: LibreOffice conversions and OCR reads.

One root for every cache, chosen in this order: `$NIANBAO_CACHE` (an operator keeps it beside the
archive, e.g. `NIANBAO_CACHE=data/out/cache`), `$XDG_CACHE_HOME/nianbao`, `~/.cache/nianbao`.
Each kind of entry has its own folder under it; entries are named by content hash, written
atomically, and safe to delete at any time (they are recomputed).
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "NIANBAO_CACHE"


def cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "nianbao"


def cache_dir(kind: str) -> Path:
    """The folder of one kind of cache entry ("convert", "ocr")."""
    return cache_root() / kind


def write_atomically(path: Path, data: bytes) -> None:
    """A cache entry written whole or not at all: a concurrent reader never sees part of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)
