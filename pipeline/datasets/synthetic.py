"""Synthetic raw archives, written exactly as the crawler writes them, for tests and benchmarks.

A report is drawn with `pipeline.render`, rendered as a page (HTML) or an attachment (DOCX, text),
stored in a RawArchive and recorded with the registry hints a crawl would have copied into its
FetchRecord. Nothing here knows how the datasets are built.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.archive import FetchRecord, RawArchive
from pipeline.crawl.items import KIND_ATTACHMENT, KIND_PAGE
from pipeline.render import GroundTruth, random_ground_truth, render_docx, render_html, render_text

RENDERERS: dict[str, Callable[[GroundTruth], bytes]] = {
    "html": render_html,
    "portal": lambda gt: render_html(gt, style="portal"),
    "docx": render_docx,
    "text": render_text,
}
_CONTENT_TYPES = {
    "html": "text/html",
    "portal": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text": "text/plain",
}


@dataclass(frozen=True)
class Site:
    """A registry entry: one agency's report column."""

    site_id: str
    agency: str  # as the registry names it (the fullest form)
    region_code: str
    level: str = "county"

    @property
    def host(self) -> str:
        return f"www.{self.site_id}.gov.cn"


class SyntheticArchive:
    def __init__(self, out: Path, *, start: datetime | None = None) -> None:
        self.out = Path(out)
        self.archive = RawArchive(out)
        self.clock = start or datetime(2025, 2, 1, tzinfo=UTC)

    def tick(self) -> str:
        """A fetch time one minute after the previous one: archives are deterministic."""
        self.clock += timedelta(minutes=1)
        return self.clock.isoformat().replace("+00:00", "Z")

    def report(self, site: Site, year: int, rng: random.Random, **truth: Any) -> GroundTruth:
        """A random report of the site's agency (its registry name, so parse and registry agree);
        `truth` goes on to `random_ground_truth` (template=, break_rule=, ...)."""
        return random_ground_truth(rng, year=year, agency=site.agency, agency_full=site.agency, **truth)

    def add(
        self,
        site: Site,
        body: bytes,
        *,
        url: str,
        fmt: str = "html",
        title: str = "",
        published: str = "",
        kind: str = KIND_PAGE,
        parent_url: str = "",
        status: int = 200,
    ) -> FetchRecord:
        """Store a body and record one fetch of it."""
        record = FetchRecord(
            url=url,
            sha256=self.archive.put(body),
            fetched_at=self.tick(),
            status=status,
            size=len(body),
            content_type=_CONTENT_TYPES.get(fmt, "application/octet-stream"),
            kind=kind,
            parent_url=parent_url,
            site_id=site.site_id,
            agency=site.agency,
            region_code=site.region_code,
            level=site.level,
            title=title,
            published=published,
            publisher=site.agency if kind == KIND_PAGE else "",
            filename=url.rsplit("/", 1)[-1] if kind == KIND_ATTACHMENT else "",
        )
        self.archive.record(record)
        return record

    def publish(
        self, site: Site, gt: GroundTruth, *, fmt: str = "html", name: str | None = None
    ) -> FetchRecord:
        """The report as a detail page (html, portal) or as an attachment of one (docx, text)."""
        name = name or f"{gt.year}"
        page_url = f"http://{site.host}/zwgk/nb/{name}.html"
        body = RENDERERS[fmt](gt)
        if fmt in ("html", "portal"):
            return self.add(site, body, url=page_url, fmt=fmt, title=gt.title, published=gt.published_date)
        extension = "docx" if fmt == "docx" else "txt"
        return self.add(
            site,
            body,
            url=f"http://{site.host}/zwgk/nb/{name}.{extension}",
            fmt=fmt,
            title=gt.title,
            kind=KIND_ATTACHMENT,
            parent_url=page_url,
        )
