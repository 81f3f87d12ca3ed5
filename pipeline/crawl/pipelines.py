"""Item pipelines, one job each: archive the bytes, parse the documents, write the outputs."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.utils.asyncio import run_in_thread

from pipeline.archive import ParseCache
from pipeline.crawl.context import CrawlerComponent, context_of
from pipeline.crawl.items import DOCUMENT_KINDS, FetchedItem
from pipeline.crawl.outputs import update_outputs
from pipeline.crawl.shared import is_run_finisher
from pipeline.crawl.state import UrlState
from pipeline.datasets import print_build_summary
from pipeline.parse import PARSER_VERSION, parse_report

logger = logging.getLogger("nianbao.crawl")

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ArchivePipeline(CrawlerComponent):
    """Store the body content-addressed, index the fetch, and remember it in the state store."""

    def process_item(self, item: FetchedItem) -> FetchedItem:
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

    Parsing is CPU-bound, so it runs in a process pool (NIANBAO_PARSE_WORKERS, default: one per
    core); with 1 worker it runs in a thread of this process.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.workers = crawler.settings.getint("NIANBAO_PARSE_WORKERS") or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None

    def open_spider(self) -> None:
        if self.workers > 1:
            # forkserver: forking the reactor's process (with its threads) is unsafe.
            mp = multiprocessing.get_context("forkserver")
            mp.set_forkserver_preload(["pipeline.parse"])
            self.pool = ProcessPoolExecutor(self.workers, mp_context=mp)

    async def process_item(self, item: FetchedItem) -> FetchedItem:
        record = item.record
        if record.kind not in DOCUMENT_KINDS:
            return item
        ctx = context_of(self.crawler)
        cached = ctx.cache.get(record.sha256)
        status = cached.status if cached else await self._parse(item, ctx.out)
        ctx.count(record.site_id, f"parsed_{status}")
        return item

    async def _parse(self, item: FetchedItem, out: Path) -> str:
        record = item.record
        args = (
            out,
            record.sha256,
            item.body,
            record.filename or None,
            record.url,
            record.content_type or None,
        )
        if self.pool is not None:
            try:
                return await run_in_thread(self.pool.submit(parse_into_cache, *args).result)
            except BrokenProcessPool:
                # A worker died (or could not start: an unguarded __main__ re-imported by forkserver).
                logger.warning("parse workers failed; parsing in a thread from now on")
                self.pool = None
        return await run_in_thread(parse_into_cache, *args)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def parse_into_cache(
    out: Path, sha256: str, body: bytes, filename: str | None, url: str, content_type: str | None
) -> str:
    """Parse one body and store the parse (in a worker: serialising a Report costs as much as a
    small parse, so it is done there too, and only the status travels back)."""
    report = parse_report(body, filename, url, content_type)
    ParseCache(out, PARSER_VERSION).put(sha256, report)
    return report.status


class OutputsPipeline(CrawlerComponent):
    """At the end of a run, rewrite the outputs from everything archived so far: the datasets
    and text archive (only the years holding changed documents are rewritten), then the JSON
    lines of parsed documents. In a crawl shared through Redis, only the worker that ends the run
    does it (the others stop while work remains)."""

    def close_spider(self) -> None:
        if not is_run_finisher(self.crawler):
            return
        summary = update_outputs(context_of(self.crawler).out)
        if self.crawler.settings.getbool("NIANBAO_PRINT_SUMMARY"):
            print_build_summary(summary)
