"""`discover`: from government portals to their report columns (`nianbao discover URL...`).

Breadth-first from each start URL through the links `pipeline.discover.leads` picks (政务公开,
信息公开平台, lists of agencies, 年报 columns), at most `max_hops` links deep and `max_pages` pages
per start URL, on the start URL's host and on official hosts it links to. A candidate column counts
once a report link is seen in it (or in one of its year / agency-type sub-columns); its CMS family
is the crawl's own detection. Politeness (robots.txt, AutoThrottle, per-host concurrency) is the
crawl's: the same settings module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse

from pipeline.crawl.middlewares import challenge_reason
from pipeline.crawl.urls import canonical_url
from pipeline.discover import (
    COLUMN,
    NAV,
    UNIT,
    FoundColumn,
    is_known,
    leads,
    page_links,
    report_links,
    sub_columns,
)
from pipeline.registry import url_problem
from spiders.adapters import detect

_SITE_NAME = ("//meta[@name='SiteName']/@content", "//title/text()")


class DiscoverSpider(scrapy.Spider):
    name = "discover"

    def __init__(
        self,
        urls: list[str],
        known: set[str],
        allow_hosts: frozenset[str] = frozenset(),
        max_hops: int = 5,
        max_pages: int = 400,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.known = known
        self.allow_hosts = allow_hosts
        self.max_hops = max_hops
        self.max_pages = max_pages
        self.found: dict[str, FoundColumn] = {}  # canonical column URL -> column
        self.already_registered: set[str] = set()
        self.counts: Counter[str] = Counter()
        self._fetched: Counter[str] = Counter()  # pages requested per start URL
        self._seen: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            request = self._request(url, url, NAV, hops=0, hint="")
            if request:
                yield request

    def _request(
        self, url: str, portal: str, role: str, *, hops: int, hint: str, parent: str = ""
    ) -> Request | None:
        key = canonical_url(url)
        if key in self._seen:
            return None
        problem = url_problem(url, self.allow_hosts)
        if problem:
            self.counts[f"refused/{problem.split(':')[0]}"] += 1
            return None
        if self._fetched[portal] >= self.max_pages:
            self.counts["refused/max_pages"] += 1
            return None
        self._seen.add(key)
        self._fetched[portal] += 1
        meta = {"portal": portal, "hops": hops, "hint": hint, "parent": parent}
        callback = self.parse_column if role == COLUMN else self.parse_page
        return Request(url, callback=callback, errback=self.failed, meta=meta, dont_filter=True)

    def failed(self, failure: Any) -> None:
        self.counts["errors/fetch"] += 1
        self.logger.info("discover: %s: %s", failure.request.url, failure.getErrorMessage())

    def _text(self, response: Response) -> TextResponse | None:
        self.counts["pages"] += 1
        if not isinstance(response, TextResponse):
            return None
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if challenge_reason(response.status, content_type, response.body):
            self.counts["errors/challenge"] += 1
            return None
        return response

    def parse_page(self, response: Response) -> Iterator[Request]:
        page = self._text(response)
        if page is None:
            return
        meta = page.meta
        hint = meta["hint"] or _site_name(page)
        for lead in leads(page_links(page.text, page.url)):
            if lead.role == COLUMN:
                request = self._request(lead.url, meta["portal"], COLUMN, hops=0, hint=hint)
            elif meta["hops"] < self.max_hops and self._in_scope(lead.url, page.url, lead.role):
                # An agency's own platform names the agency; a navigation page keeps the one we have.
                next_hint = lead.text if lead.role == UNIT else meta["hint"]
                request = self._request(lead.url, meta["portal"], NAV, hops=meta["hops"] + 1, hint=next_hint)
            else:
                request = None
            if request:
                yield request

    def _in_scope(self, url: str, here: str, role: str) -> bool:
        """Navigation stays on the host; an agency's link may lead to its own (official) host."""
        return role == UNIT or urlsplit(url).netloc == urlsplit(here).netloc

    def parse_column(self, response: Response) -> Iterator[Request]:
        page = self._text(response)
        if page is None:
            return
        meta = page.meta
        column = meta["parent"] or page.url
        links = page_links(page.text, page.url)
        reports = report_links(links)
        if reports:
            self._found(column, page, reports[0], meta)
            return
        if meta["parent"]:  # sub-columns are looked into one level deep only
            return
        for url, _ in sub_columns(links):
            request = self._request(url, meta["portal"], COLUMN, hops=0, hint=meta["hint"], parent=page.url)
            if request:
                yield request

    def _found(self, column: str, page: TextResponse, report: tuple[str, str], meta: dict[str, Any]) -> None:
        key = canonical_url(column)
        if key in self.found or key in self.already_registered:
            return
        if is_known(column, self.known):
            self.already_registered.add(key)
            self.counts["columns/already_registered"] += 1
            return
        self.counts["columns/found"] += 1
        self.found[key] = FoundColumn(
            url=column,
            cms=detect(page).name,
            evidence=report[0],
            report_title=report[1],
            agency_hint=meta["hint"],
            portal=meta["portal"],
        )


def _site_name(page: TextResponse) -> str:
    for xpath in _SITE_NAME:
        value = (page.xpath(xpath).get() or "").strip()
        if value:
            return value.split("_")[-1].split("-")[-1].strip()
    return ""
