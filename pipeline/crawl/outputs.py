"""The crawl's outputs, rebuilt from the archive alone (so a rerun gives the same files).

`update_outputs` is what follows an archive update, the crawl's and `nianbao ingest`'s alike:
the datasets and text archive (parsing what is not parsed yet), then the JSON lines.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.archive import FetchRecord, ParseCache, RawArchive, write_atomic
from pipeline.crawl.items import DOCUMENT_KINDS
from pipeline.datasets import BuildSummary, build_datasets
from pipeline.parse import PARSER_VERSION, parse_report
from pipeline.report import Report


def update_outputs(out: str | Path, *, progress: bool = False, workers: int | None = None) -> BuildSummary:
    """Bring every output up to date with the archive. The datasets go first: their build parses
    the new bodies on every CPU, so the JSON lines find every parse cached."""
    summary = build_datasets(Path(out), progress=progress, workers=workers)
    write_outputs(out)
    return summary


def write_outputs(out: str | Path) -> Path:
    """Write `OUT/parsed/reports.jsonl`: one line per distinct document body (detail page or
    attachment), its newest fetch record, the other URLs serving the same bytes (`also_at`), and
    its parse under `report` (every status: ok, partial, not_report and failed)."""
    out = Path(out)
    archive = RawArchive(out)
    cache = ParseCache(out, PARSER_VERSION)
    lines = []
    for records in _documents(archive).values():
        first = records[0]
        line = asdict(first)
        line["also_at"] = [r.url for r in records[1:]]
        line["report"] = _report(archive, cache, first).to_json()
        lines.append(json.dumps(line, ensure_ascii=False, sort_keys=True))
    path = out / "parsed" / "reports.jsonl"
    write_atomic(path, "".join(line + "\n" for line in lines).encode("utf-8"))
    return path


def _documents(archive: RawArchive) -> dict[str, list[FetchRecord]]:
    """The newest fetch of every document URL, grouped by body: same bytes, same document."""
    by_body: dict[str, list[FetchRecord]] = {}
    for record in archive.latest().values():
        if record.kind in DOCUMENT_KINDS:
            by_body.setdefault(record.sha256, []).append(record)
    return by_body


def _report(archive: RawArchive, cache: ParseCache, record: FetchRecord) -> Report:
    """The cached parse, or a parse now (a crawl interrupted before parsing left it undone)."""
    report = cache.get(record.sha256)
    if report is None:
        data = archive.get(record.sha256)
        report = parse_report(data, record.filename or None, record.url, record.content_type or None)
        cache.put(record.sha256, report)
    return report
