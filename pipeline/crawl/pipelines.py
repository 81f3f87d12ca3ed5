"""Item pipelines, one job each: archive the bytes, parse the documents, write the outputs."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.defer import deferred_from_coro

from pipeline.crawl.context import CrawlContext, CrawlerComponent, context_of
from pipeline.crawl.items import DOCUMENT_KINDS, FetchedItem
from pipeline.crawl.outputs import write_outputs
from pipeline.crawl.shared import is_run_finisher
from pipeline.crawl.state import UrlState
from pipeline.datasets import build_datasets, print_build_summary
from pipeline.parse_jobs import parse_into_cache
from pipeline.report import Report
from pipeline.workers import IsolatedPool, WorkerFailed

logger = logging.getLogger("nianbao.crawl")
DISK_FULL = "disk_full"  # the finish reason of a run stopped by a full disk

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ArchivePipeline(CrawlerComponent):
    """Store the body content-addressed, index the fetch, and remember it in the state store.

    A storage failure is a named error (storage_ENOSPC, storage_EACCES …) and the item goes no
    further; a full disk also ends the run (finish reason `disk_full`: nothing more can be kept).
    """

    def process_item(self, item: FetchedItem) -> FetchedItem:
        try:
            return self._store(item)
        except (OSError, sqlite3.Error) as exc:
            name = storage_failed(self.crawler, item.record.site_id, item.record.url, exc)
            raise DropItem(f"{name}: {item.record.url}") from exc

    def _store(self, item: FetchedItem) -> FetchedItem:
        ctx = context_of(self.crawler)
        record = item.record
        record.sha256 = ctx.archive.put(item.body)
        record.size = len(item.body)
        previous = ctx.state.get(record.url)
        ctx.archive.record(record)
        if record.kind in DOCUMENT_KINDS:
            ctx.count(record.site_id, "documents")
            change = ""
            if previous is None or not 200 <= previous.status < 300:
                change = "new"
            elif previous.sha256 != record.sha256:
                change = "changed"
            if change:
                ctx.count(record.site_id, change)
                ctx.changes.append(
                    {"url": record.url, "site_id": record.site_id, "kind": record.kind,
                     "sha256": record.sha256, "change": change, "title": record.title}
                )  # fmt: skip
        state = UrlState(
            url=record.url,
            site_id=record.site_id,
            kind=record.kind,
            status=record.status,
            sha256=record.sha256,
            etag=item.etag,
            last_modified=item.last_modified,
            content_type=record.content_type,
            fetched_at=record.fetched_at,
            report_links=item.report_links,
        )
        ctx.state.put(state)
        if item.requested_url and item.requested_url != record.url:
            # The link that redirected here is known too, or the next run would follow it again.
            ctx.state.put(replace(state, url=item.requested_url))
        return item


class ParsePipeline(CrawlerComponent):
    """Parse each new document body once (keyed by sha256 and parser version), off the reactor.

    Parsing runs in worker processes (NIANBAO_PARSE_WORKERS, default: one per core), each
    document under the per-document budgets of time and memory: a worker that overruns is
    killed, the document is recorded as failed with the reason (cached, so no later step parses
    it again), and the run goes on.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.pool = IsolatedPool(
            settings.getint("NIANBAO_PARSE_WORKERS") or os.cpu_count() or 1,
            seconds=settings.getfloat("NIANBAO_PARSE_MAX_SECONDS"),
            memory_bytes=settings.getint("NIANBAO_PARSE_MAX_MEMORY_BYTES"),
        )

    async def process_item(self, item: FetchedItem) -> FetchedItem:
        record = item.record
        if record.kind not in DOCUMENT_KINDS:
            return item
        ctx = context_of(self.crawler)
        cached = ctx.cache.get(record.sha256)
        status = cached.status if cached else await self._parse(item, ctx)
        ctx.count(record.site_id, f"parsed_{status}")
        return item

    async def _parse(self, item: FetchedItem, ctx: CrawlContext) -> str:
        record = item.record
        args = (ctx.out, record.sha256, item.body, record.filename or None, record.url, record.content_type)

        def parse() -> tuple[str, OSError | None]:
            return self.pool.call(parse_into_cache, *args)

        try:
            status, write_error = await run_in_thread(parse)
        except WorkerFailed as failed:
            ctx.error(record.site_id, failed.name, f"{record.url}: {failed}")
            report = Report(source=record.url, error=str(failed))
            status, write_error = report.status, None
            try:
                ctx.cache.put(record.sha256, report)
            except OSError as exc:
                write_error = exc
        if write_error is not None:
            storage_failed(self.crawler, record.site_id, record.url, write_error)
        return status

    def close_spider(self) -> None:
        self.pool.close()


class OutputsPipeline(CrawlerComponent):
    """At the end of a run, bring the outputs up to date with the archive, in the order of
    `outputs.update_outputs`: the datasets and text archive, then the JSON lines. Each step runs
    whatever the other did: a failure is a named run error in the summary, never the end of the
    run's outputs. In a crawl shared through Redis, only the worker that ends the run does it (the
    others stop while work remains)."""

    def close_spider(self) -> None:
        if not is_run_finisher(self.crawler):
            return
        ctx = context_of(self.crawler)
        steps = (("datasets_failed", self._build), ("outputs_failed", write_outputs))
        for name, step in steps:
            try:
                step(ctx.out)
            except Exception as exc:  # recorded, then the next step still runs
                storage = storage_error_name(exc)
                if storage is None:  # a bug: its traceback helps; a full disk's does not
                    logger.exception("%s", name)
                ctx.run_error(storage or name, f"{name}: {type(exc).__name__}: {exc}")

    def _build(self, out: Path) -> None:
        summary = build_datasets(out)
        if self.crawler.settings.getbool("NIANBAO_PRINT_SUMMARY"):
            print_build_summary(summary)


def storage_error_name(exc: BaseException) -> str | None:
    """`storage_<errno>` (storage_ENOSPC, storage_EACCES …) for a failed write, else None."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"storage_{errno.errorcode.get(exc.errno, exc.errno)}"
    if isinstance(exc, sqlite3.Error):
        return "storage_ENOSPC" if _disk_full(exc) else "storage_state"
    return None


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def storage_failed(crawler: Crawler, site_id: str, url: str, exc: BaseException) -> str:
    """Record a failed write as a named error of its site; a full disk ends the run (finish reason
    `disk_full`: nothing more could be kept). Returns the error's name."""
    name = storage_error_name(exc) or "storage_error"
    context_of(crawler).error(site_id, name, f"{url}: {exc}")
    if _disk_full(exc) and crawler.engine is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=DISK_FULL))
    return name
