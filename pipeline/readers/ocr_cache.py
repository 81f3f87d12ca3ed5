"""OCR once: what the recogniser read from an image, kept by the image's content hash and the OCR
model version, so re-parsing a scanned report (`nianbao reparse` after a parser change) redoes
the geometry in milliseconds instead of the recognition in seconds.

Entries live in the "ocr" folder of the parser's cache (`pipeline.cache`: `$NIANBAO_CACHE`, else
`$XDG_CACHE_HOME/nianbao`, else `~/.cache/nianbao`), one JSON file per read, named by
SHA-256 of (model version, kind of read, pixel array shape and bytes). A new rapidocr, a new
onnxruntime or new recogniser parameters change the version and so every key: stale reads are
never used. An unreadable or unwritable entry is a cache miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from pipeline.cache import cache_dir, write_atomically

T = TypeVar("T")


def key(version: str, kind: str, pixels: np.ndarray) -> str:
    digest = hashlib.sha256()
    digest.update(f"{version}\n{kind}\n{pixels.shape}\n{pixels.dtype}\n".encode())
    digest.update(np.ascontiguousarray(pixels).data)
    return digest.hexdigest()


def cached(
    entry: str, compute: Callable[[], T], encode: Callable[[T], object], decode: Callable[[object], T]
) -> T:
    """The value stored under `entry`, else `compute()` stored there (as JSON of `encode`)."""
    path = cache_dir("ocr") / entry[:2] / f"{entry}.json"
    try:
        return decode(json.loads(path.read_bytes()))
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        pass  # absent, or written by something else: read again
    value = compute()
    with contextlib.suppress(OSError):  # a read-only or full cache costs time, not the parse
        write_atomically(path, json.dumps(encode(value), ensure_ascii=False).encode())
    return value
