"""The raw archive: every fetched body stored once by its sha256, and an index of every fetch.

Layout under an output folder ``OUT``::

    OUT/archive/raw/ab/cd/<sha256>.<ext> exact bytes as served (content-addressed, written atomically;
                                        the extension of the detected format, none for unknown bytes
                                        and for bodies archived before extensions were added)
    OUT/archive/documents.jsonl         one FetchRecord per fetched document (append-only)
    OUT/archive/warc/<run>.warc.gz      every HTTP exchange as WARC records
    OUT/parsed/ab/<sha256>.json         the parse of each stored body (Report.to_record), per parser version

Parsing works on these stored bytes alone, so `nianbao reparse` rebuilds everything without
the network, and a document that failed to parse is still here to be parsed again. Files are
created with the permissions the umask allows (0644 under the usual 022), so a web server or a
colleague can read the archive.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from pipeline.readers.extensions import file_extension
from pipeline.report import Report


@dataclass
class FetchRecord:
    """One fetched document (a report page or an attachment) and what the site said about it."""

    url: str
    sha256: str
    fetched_at: str  # ISO 8601, UTC
    status: int = 200
    size: int = 0
    content_type: str = ""
    kind: str = "page"  # "page" (a detail page) or "attachment"
    parent_url: str = ""  # the detail page an attachment was linked from
    site_id: str = ""  # registry entry id
    agency: str = ""  # the registry's publishing agency
    region_code: str = ""
    level: str = ""
    title: str = ""  # the link text or the page's title
    published: str = ""  # 发布日期 as the page gives it (YYYY-MM-DD when known)
    publisher: str = ""  # 发布机构 / 来源
    index_no: str = ""  # 索引号
    doc_number: str = ""  # 文号
    site_id_code: str = ""  # meta SiteIDCode
    filename: str = ""  # Content-Disposition or link file name of an attachment
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> FetchRecord:
        return cls(**{k: v for k, v in data.items() if k in _FETCH_FIELDS})


_FETCH_FIELDS = frozenset(f.name for f in fields(FetchRecord))  # once, not per record of the index


class RawArchive:
    def __init__(self, out: str | Path) -> None:
        self.root = Path(out) / "archive"
        self.raw = self.root / "raw"
        self.index = self.root / "documents.jsonl"
        self.warc_dir = self.root / "warc"

    def put(self, body: bytes) -> str:
        """Store bytes once, named by their sha256 and detected format; returns the sha256."""
        digest = hashlib.sha256(body).hexdigest()
        if self.find(digest) is None:
            write_atomic(self.folder_for(digest) / f"{digest}{file_extension(body)}", body)
        return digest

    def folder_for(self, sha256: str) -> Path:
        return self.raw / sha256[:2] / sha256[2:4]

    def find(self, sha256: str) -> Path | None:
        """The stored file of a body: `<sha256>.<ext>`, or `<sha256>` as older archives stored it."""
        folder = self.folder_for(sha256)
        try:  # one listing of a folder of a file or two (a glob compiles a pattern per call)
            names = sorted(entry.name for entry in os.scandir(folder))
        except FileNotFoundError:
            return None
        if sha256 in names:
            return folder / sha256
        prefix = sha256 + "."
        return next((folder / n for n in names if n.startswith(prefix) and not n.endswith(".tmp")), None)

    def path_for(self, sha256: str) -> Path:
        """The stored file of a body (FileNotFoundError when it is not in the archive)."""
        path = self.find(sha256)
        if path is None:
            raise FileNotFoundError(errno.ENOENT, "not in the archive", str(self.folder_for(sha256) / sha256))
        return path

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def record(self, fetch: FetchRecord) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(fetch), ensure_ascii=False, sort_keys=True) + "\n"
        # One write() on an O_APPEND descriptor: lines of concurrent writers (the workers of a
        # shared crawl) never interleave, and a killed writer leaves no half line.
        fd = os.open(self.index, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def records(self) -> Iterator[FetchRecord]:
        """Every fetch in the order it happened (a URL fetched on several nights appears each time)."""
        if not self.index.exists():
            return
        with self.index.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield FetchRecord.from_json(json.loads(line))

    def latest(self) -> dict[str, FetchRecord]:
        """The newest fetch of each URL."""
        out: dict[str, FetchRecord] = {}
        for fetch in self.records():
            out[fetch.url] = fetch
        return out


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: readers never see half a file.
    The file gets the mode a plain open() would (0666 less the umask), not mkstemp's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask, read without changing it (os.umask sets it: racy with threads)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


class ParseCache:
    """Parsed reports by the sha256 of their bytes, valid for one parser version.

    The crawl parses each new body once; datasets and text are built from this cache, and
    `reparse` (or a new parser version) simply ignores it.
    """

    def __init__(self, out: str | Path, parser_version: str) -> None:
        self.root = Path(out) / "parsed"
        self.version = parser_version

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str) -> Report | None:
        path = self.path_of(sha256)
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("parser_version") != self.version:
            return None
        return Report.from_record(data["report"])

    def put(self, sha256: str, report: Report) -> None:
        payload = {"parser_version": self.version, "report": report.to_record()}
        write_atomic(self.path_of(sha256), json.dumps(payload, ensure_ascii=False).encode("utf-8"))
