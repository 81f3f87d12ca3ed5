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
) -> str:
    """Parse one body and store the parse (in a worker: serialising a Report costs as much as a
    small parse, so it is done there too, and only the status travels back)."""
    report = parse_report(body, filename, url, content_type or None)
    ParseCache(out, PARSER_VERSION).put(sha256, report)
    return report.status
