"""Zip containers (DOCX, XLSX, OFD) opened within the budgets: members counted, every member's
declared size checked, and every member actually inflated (in chunks, stopping at the budget)
before any reader parses one, so a zip bomb costs at most a budget's worth of work."""

from __future__ import annotations

import io
import zipfile
import zlib

from pipeline import limits
from pipeline.readers import UnreadableDocument

_CHUNK = 1024 * 1024
# What a damaged zip raises, from zipfile and zlib (bad offsets, bad deflate data, encryption …).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    zlib.error,
)


def checked_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """The archive, once it is known to fit ZIP_MAX_MEMBERS, ZIP_MAX_MEMBER_BYTES and
    ZIP_MAX_TOTAL_BYTES; BudgetExceeded or UnreadableDocument otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > limits.ZIP_MAX_MEMBERS:
            raise limits.BudgetExceeded("ZIP_MAX_MEMBERS", len(infos), limits.ZIP_MAX_MEMBERS)
        declared = 0
        for info in infos:
            _check_member(info.file_size)
            declared += info.file_size
            _check_total(declared)
        inflated = 0
        for info in infos:
            inflated += _inflate(archive, info, limits.ZIP_MAX_TOTAL_BYTES - inflated)
    except limits.BudgetExceeded:
        raise
    except ZIP_ERRORS as exc:
        raise UnreadableDocument(f"{what} could not be read: {exc}") from exc
    return archive


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, total_left: int) -> int:
    """Inflate one member and throw the bytes away, stopping as soon as a budget is passed
    (a header may understate what a member inflates to)."""
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            _check_member(size)
            if size > total_left:
                _check_total(limits.ZIP_MAX_TOTAL_BYTES - total_left + size)
    return size


def _check_member(size: int) -> None:
    if size > limits.ZIP_MAX_MEMBER_BYTES:
        raise limits.BudgetExceeded("ZIP_MAX_MEMBER_BYTES", size, limits.ZIP_MAX_MEMBER_BYTES)


def _check_total(size: int) -> None:
    if size > limits.ZIP_MAX_TOTAL_BYTES:
        raise limits.BudgetExceeded("ZIP_MAX_TOTAL_BYTES", size, limits.ZIP_MAX_TOTAL_BYTES)
