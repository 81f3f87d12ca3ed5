"""Reports held as local files, added to the raw archive as a crawl adds what it fetches.

Each file's bytes are stored content-addressed and recorded with a FetchRecord whose URL is the
file's `file://` URI (or the URL the user says it came from) and whose registry agency is the
user's hint, so that everything after the archive (parse, datasets, text archive) takes it up
exactly as it takes up a crawled document. Bytes already in the archive are not recorded again:
ingesting the same files twice changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.archive import FetchRecord, RawArchive
from pipeline.crawl.items import KIND_PAGE


class IngestError(ValueError):
    """A path that cannot be ingested (missing, unreadable): nothing is archived."""


@dataclass
class IngestResult:
    added: list[FetchRecord] = field(default_factory=list)
    already_archived: list[Path] = field(default_factory=list)


def collect_files(paths: Iterable[Path], *, url: str | None = None) -> list[Path]:
    """The files named, and those under the folders named (hidden ones skipped), in order;
    IngestError for the first path that is neither, or for a URL given to several files,
    before anything is read."""
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            raise IngestError(f"no such file or folder: {path}")
    files = list(dict.fromkeys(files))
    if url is not None and len(files) != 1:
        raise IngestError(f"--url names one document, and {len(files)} files were given")
    return files


def ingest(paths: Iterable[Path], out: Path, *, url: str | None = None, agency: str = "") -> IngestResult:
    """Archive the files under `paths` in OUT's raw archive (see the module docstring)."""
    files = collect_files(paths, url=url)
    bodies = {}
    for path in files:
        try:
            bodies[path] = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from exc
    archive = RawArchive(out)
    index = _Index(archive)
    result = IngestResult()
    for path, body in bodies.items():
        source = url or path.resolve().as_uri()
        sha256 = hashlib.sha256(body).hexdigest()
        # Bytes not in the store were never archived: only stored ones need the fetch index
        # (read once), so that adding new files costs no read of a national archive's index.
        if archive.find(sha256) is not None and index.has(source, sha256, any_url=url is None):
            result.already_archived.append(path)
            continue
        archive.put(body)
        record = FetchRecord(
            url=source,
            sha256=sha256,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            size=len(body),
            kind=KIND_PAGE,
            agency=agency,
            title=path.stem,
            filename=path.name,
        )
        archive.record(record)
        index.add(source, sha256)
        result.added.append(record)
    return result


class _Index:
    """The (url, sha256) pairs of the archive's fetch index, read on first use."""

    def __init__(self, archive: RawArchive) -> None:
        self.archive = archive
        self.recorded: set[tuple[str, str]] | None = None
        self.bodies: set[str] = set()

    def has(self, url: str, sha256: str, *, any_url: bool) -> bool:
        """Whether the pair is recorded (with `any_url`: whether the bytes are, at any URL)."""
        if self.recorded is None:  # read now: it holds what this ingest recorded so far too
            self.recorded = {(r.url, r.sha256) for r in self.archive.records()}
            self.bodies = {sha for _, sha in self.recorded}
        return (url, sha256) in self.recorded or (any_url and sha256 in self.bodies)

    def add(self, url: str, sha256: str) -> None:
        if self.recorded is not None:
            self.recorded.add((url, sha256))
            self.bodies.add(sha256)
