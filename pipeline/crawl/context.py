"""What every part of one crawl shares: the output folder, the stores, the sites and the counters.

The spider builds it from its arguments; middlewares and item pipelines reach it through
`crawler.spider.ctx` (Scrapy 2.19 no longer passes the spider to their methods).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.archive import ParseCache, RawArchive
from pipeline.crawl.fetch_policy import FetchPolicy
from pipeline.crawl.scope import Scope, SiteScope
from pipeline.crawl.state import StateStore
from pipeline.crawl.urls import host_of
from pipeline.parse import PARSER_VERSION
from pipeline.registry import SiteEntry

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger("nianbao.crawl")

# Per-site counters of the run summary (stats keys `nianbao/site/<id>/<name>`).
RUN_ERROR_PREFIX = "nianbao/run/error/"
COUNTERS = ("responses", "list_pages", "reports_found", "documents", "new", "changed", "parsed_ok")


def new_run_id() -> str:
    """Sorts by start time; the suffix separates runs started in the same second."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class CrawlContext:
    out: Path
    run_id: str
    full: bool
    entries: dict[str, SiteEntry]
    scope: Scope = field(default_factory=Scope)
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    stats: StatsCollector | None = None
    # Documents this run archived new or changed ({url, site_id, kind, sha256, change, title}):
    # the run report's "new and changed reports".
    changes: list[dict[str, str]] = field(default_factory=list)
    started_at: str = field(default_factory=utc_now)
    worker: str = ""  # this worker's id in a crawl shared through Redis ("" for a crawl of its own)

    def __post_init__(self) -> None:
        self.archive = RawArchive(self.out)
        self.cache = ParseCache(self.out, PARSER_VERSION)
        self.state = StateStore(self.out)
        self.scopes = {site_id: site_scope(entry) for site_id, entry in self.entries.items()}

    @property
    def warc_name(self) -> str:
        """One WARC file per run and worker: workers of a shared run never write the same file."""
        return f"{self.run_id}-{self.worker}.warc.gz" if self.worker else f"{self.run_id}.warc.gz"

    def count(self, site_id: str, name: str, n: int = 1) -> None:
        assert self.stats is not None
        self.stats.inc_value(f"nianbao/site/{site_id}/{name}", n)

    def error(self, site_id: str, name: str, detail: str) -> None:
        """A named, counted error: in the stats, in the run summary, and in the log at ERROR."""
        assert self.stats is not None
        self.stats.inc_value(f"nianbao/site/{site_id}/error/{name}")
        self.stats.inc_value(f"nianbao/error/{name}")
        logger.error("site %s: %s: %s", site_id, name, detail)

    def run_error(self, name: str, detail: str) -> None:
        """A named, counted error of the run as a whole (outputs, storage, robots.txt of no site)."""
        assert self.stats is not None
        self.stats.inc_value(f"{RUN_ERROR_PREFIX}{name}")
        self.stats.inc_value(f"nianbao/error/{name}")
        logger.error("run: %s: %s", name, detail)

    def run_errors(self) -> dict[str, int]:
        assert self.stats is not None
        start = len(RUN_ERROR_PREFIX)
        items = self.stats.get_stats().items()
        return dict(sorted((k[start:], v) for k, v in items if k.startswith(RUN_ERROR_PREFIX)))

    def site_stats(self, site_id: str) -> dict[str, Any]:
        assert self.stats is not None
        prefix = f"nianbao/site/{site_id}/"
        values = {k[len(prefix) :]: v for k, v in self.stats.get_stats().items() if k.startswith(prefix)}
        errors = {k[len("error/") :]: v for k, v in values.items() if k.startswith("error/")}
        refused = {k[len("refused/") :]: v for k, v in values.items() if k.startswith("refused/")}
        row = {name: values.get(name, 0) for name in COUNTERS}
        row["errors"] = dict(sorted(errors.items()))
        row["refused"] = dict(sorted(refused.items()))  # requests not made, by the rule that refused
        return row


def site_scope(entry: SiteEntry) -> SiteScope:
    return SiteScope(entry.id, frozenset(host_of(u) for u in entry.start_urls), entry.max_pages)


class CrawlerComponent:
    """A middleware, pipeline or extension that keeps its crawler (Scrapy 2.19 passes no spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


def context_of(crawler: Crawler) -> CrawlContext:
    ctx = getattr(crawler.spider, "ctx", None)
    if not isinstance(ctx, CrawlContext):
        raise RuntimeError(
            "nianbao middlewares and pipelines need a spider with a CrawlContext (spiders.reports)"
        )
    return ctx
