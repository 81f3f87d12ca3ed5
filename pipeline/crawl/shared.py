"""What every crawl process loads for crawls shared through Redis, without the `distributed` extra.

The engine that tells a leasing scheduler when a request is finished, the start-request seeding,
the "who writes the outputs" question, and the test-only kill switch. They are inert in a crawl
of its own; the Redis side is pipeline.crawl.distributed (imported only by `--redis` runs, so a
scheduler from scrapy-redis can only exist once that module or scrapy-redis is loaded).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.internet.defer import Deferred, inlineCallbacks

from pipeline.crawl.context import CrawlerComponent, context_of
from pipeline.crawl.items import DOCUMENT_KINDS, META_KIND

if TYPE_CHECKING:
    from collections.abc import Generator

    from pipeline.crawl.distributed import LeasingScheduler


def leasing_scheduler(crawler: Crawler) -> LeasingScheduler | None:
    if "pipeline.crawl.distributed" not in sys.modules:
        return None
    from pipeline.crawl.distributed import LeasingScheduler

    scheduler = crawler.engine.scheduler if crawler.engine else None
    return scheduler if isinstance(scheduler, LeasingScheduler) else None


def is_run_finisher(crawler: Crawler) -> bool:
    """Whether this process writes a run's outputs: always alone, the finishing worker when shared."""
    scheduler = leasing_scheduler(crawler)
    return scheduler is None or scheduler.finisher


class LeasingEngine(ExecutionEngine):
    """Scrapy's engine, telling a leasing scheduler when it is done with a request: its response
    went through the spider and the item pipelines, it failed for good, or the retry or redirect
    that replaces it is queued."""

    @inlineCallbacks
    def _handle_downloader_output(
        self, result: Request | Response | Any, request: Request
    ) -> Generator[Deferred[Any], Any, None]:
        try:
            yield super()._handle_downloader_output(result, request)
        finally:
            scheduler = leasing_scheduler(self.crawler)
            if scheduler is not None:
                scheduler.finish(request)


class LeasingCrawler(Crawler):
    def _create_engine(self) -> ExecutionEngine:
        return LeasingEngine(self, lambda _: self.stop_async())


class SeedOnceMiddleware(CrawlerComponent):
    """With a scrapy-redis scheduler, the spider's start requests go to the shared queue once per
    run, all or none, by whichever worker comes first; otherwise they pass through."""

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if "scrapy_redis.scheduler" not in sys.modules:
            async for request in start:
                yield request
            return
        from pipeline.crawl.distributed import seed

        seed(self.crawler, [request async for request in start])


class KillSwitch(CrawlerComponent):
    """Tests only (NIANBAO_TEST_SIGKILL_AFTER_DOCUMENTS=N): SIGKILL this process when its N-th
    document response arrives, before the spider sees it: a crash at a known point."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.after = crawler.settings.getint("NIANBAO_TEST_SIGKILL_AFTER_DOCUMENTS")
        self.seen = 0
        if self.after > 0:
            crawler.signals.connect(self.response_received, signal=signals.response_received)

    def response_received(self, response: Response, request: Request) -> None:
        if request.meta.get(META_KIND) not in DOCUMENT_KINDS:
            return
        self.seen += 1
        if self.seen == self.after:
            os.write(2, f"nianbao: SIGKILL {context_of(self.crawler).worker} at {request.url}\n".encode())
            os.kill(os.getpid(), signal.SIGKILL)
