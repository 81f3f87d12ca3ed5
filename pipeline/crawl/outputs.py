"""The crawl's outputs, rebuilt from the archive alone (so a rerun gives the same files).

One function, `write_outputs`, so the JSON lines can later be swapped for the Parquet datasets.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.archive import FetchRecord, RawArchive, write_atomic
from pipeline.crawl.items import DOCUMENT_KINDS
from pipeline.datasets.documents import read_report


def write_outputs(out: str | Path) -> Path:
    """Write `OUT/parsed/reports.jsonl`: one line per distinct document body (detail page or
    attachment), its newest fetch record, the other URLs serving the same bytes (`also_at`), and
    its parse under `report` (every status: ok, partial, not_report and failed)."""
    out = Path(out)
    archive = RawArchive(out)
    lines = []
    for records in _documents(archive).values():
        first = records[0]
        line = asdict(first)
        line["also_at"] = [r.url for r in records[1:]]
        # The cached parse, or one now (an interrupted crawl left it undone); never raises.
        line["report"] = read_report(out, first).to_json()
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


