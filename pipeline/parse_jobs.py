"""What a parse worker runs: stored bytes parsed into the parse cache.

Kept apart from the crawl's pipelines so that a worker imports the parser and the archive only
(not Scrapy, pandas or pyarrow): its memory budget is spent on the document.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.archive import ParseCache
from pipeline.parse import PARSER_VERSION, parse_report


def parse_into_cache(
    out: Path, sha256: str, body: bytes, filename: str | None, url: str, content_type: str | None
) -> tuple[str, OSError | None]:
    """Parse one body and store the parse (in a worker: serialising a Report costs as much as a
    small parse, so it is done there too); returns the status and the error of a failed write
    (a full disk is the crawl's to handle, not a parse failure)."""
    report = parse_report(body, filename, url, content_type or None)
    try:
        ParseCache(out, PARSER_VERSION).put(sha256, report)
    except OSError as exc:
        return report.status, OSError(exc.errno, exc.strerror)  # without the traceback's frames
    return report.status, None
