"""The shared base of nianbao's spiders: list pages -> report links, detail pages -> documents.

Per site, a CMS-family adapter (registry `cms`, or detected from the first list page) finds the
items and the pagination of list pages; titles decide what is a report (`spiders.titles`); every
decision is logged at DEBUG on the `nianbao.decisions` logger and counted in the stats.

An incremental night (the last run complete, not --full) costs an unchanged site at most two
requests: its first list page (conditional: a 304, or the same bytes) and, when that page lists
sub-columns, the newest of them (the first listed), where a new report would appear. Older
sub-columns of an unchanged list, and pages behind a page with nothing new, wait for a --full run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest, Headers, Request, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.archive import FetchRecord
from pipeline.crawl.context import CrawlContext, site_scope, utc_now
from pipeline.crawl.items import (
    KIND_ATTACHMENT,
    KIND_LIST,
    KIND_PAGE,
    META_KIND,
    META_SITE,
    META_TRUSTED,
    FetchedItem,
)
from pipeline.crawl.middlewares import ChallengeDetected, OutOfScope, RedirectLoop
from pipeline.crawl.scope import Limits, Scope
from pipeline.crawl.state import UrlState
from pipeline.crawl.urls import (
    canonical_url,
    directory_url,
    filename_of,
    host_of,
    is_document_url,
    looks_like_column_index,
)
from pipeline.readers.encoding import declared_charset, decode_text
from pipeline.registry import SiteEntry
from spiders import titles
from spiders.adapters import GENERIC, Adapter, PageRef, adapter_for, detect, detect_url
from spiders.detail import Link, find_attachments

decisions = logging.getLogger("nianbao.decisions")

# Request priorities: finish documents before opening more list pages.
_PRIORITY = {KIND_LIST: 0, KIND_PAGE: 10, KIND_ATTACHMENT: 20}
_HOPS = "nianbao_hops"  # sub-column depth of a list page below the start page
_PAGE_STATE = "nianbao_page_state"  # the adapter's bookkeeping for a list page
_LINK = "nianbao_link"  # (url, title) of the link a document request followed
_PARENT = "nianbao_parent"  # the detail page an attachment was linked from, and its fields
# The CMS family detected when the request was made: a worker of a shared crawl may get a site's
# detail page without having seen its list pages.
_ADAPTER = "nianbao_adapter"
# A sub-column requested only as the newest one under an unchanged list (an incremental night).
_PEEK = "nianbao_peek"


@dataclass
class SiteProgress:
    """One registry entry during a run."""

    entry: SiteEntry
    adapter: Adapter | None  # None until detected from the first list page
    incremental: bool = False  # stop paginating at pages with nothing new (last run complete, not --full)
    found: set[str] = field(default_factory=set)  # report URLs recognised in this run

    def __post_init__(self) -> None:
        self.hosts = site_scope(self.entry).hosts
        # The column's own first page, as linked from its navigation (`…/zfxxgknb/` for index.html).
        starts = [canonical_url(u) for u in self.entry.start_urls]
        self.start_pages = {*starts, *(directory_url(u) for u in starts if looks_like_column_index(u))}
        self.link_re = re.compile(self.entry.link_pattern) if self.entry.link_pattern else None
        self.pagination_re = (
            re.compile(self.entry.pagination_pattern) if self.entry.pagination_pattern else None
        )

    @property
    def roots(self) -> tuple[str, ...]:
        """Path prefixes of the report column: sub-columns are searched under them."""
        return tuple((self.adapter or GENERIC).scope_root(url) for url in self.entry.start_urls)


class ReportSpiderBase(scrapy.Spider):
    ctx: CrawlContext
    sites: dict[str, SiteProgress]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportSpiderBase:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        return spider

    def _opened(self) -> None:
        settings = self.crawler.settings
        self.ctx.stats = self.crawler.stats
        self.ctx.scope = Scope(
            Limits(
                max_list_pages=settings.getint("NIANBAO_MAX_LIST_PAGES"),
                max_url_length=settings.getint("URLLENGTH_LIMIT"),
            )
        )
        self.max_hops = settings.getint("NIANBAO_MAX_HOPS")
        self.sites = {site_id: self._progress(entry) for site_id, entry in self.ctx.entries.items()}

    def _progress(self, entry: SiteEntry) -> SiteProgress:
        previous = self.ctx.state.last_site_run(entry.id, before=self.ctx.run_id)
        return SiteProgress(
            entry=entry,
            adapter=adapter_for(entry.cms) or detect_url(entry.start_urls[0]),
            incremental=not self.ctx.full and previous is not None and previous.complete,
        )

    async def start(self) -> AsyncIterator[Request]:
        for site in self.sites.values():
            for url in site.entry.start_urls:
                for ref in (site.adapter or GENERIC).start_pages(url, site.entry):
                    yield self._list_request(site, ref, hops=0)

    # --- list pages -------------------------------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Request | FetchedItem]:
        site = self._site(response)
        if not isinstance(response, TextResponse):
            self.ctx.error(site.entry.id, "list_not_html", response.url)
            return
        response = decoded_response(response, site.entry.encoding)
        self.ctx.count(site.entry.id, "list_pages")
        adapter = site.adapter or self._detect(site, response)
        hops = response.meta.get(_HOPS, 0)
        unchanged = site.incremental and self._unchanged(response)
        report_links = new_links = columns = 0
        for link in adapter.list_links(response):
            try:
                decision, reason = decide(site, adapter, link, hops, self.max_hops)
                url = canonical_url(link.url)
            except ValueError:  # a malformed link (`http://[::1/`) costs only itself
                self._log(site, "skip", "malformed URL", link.url, link.title)
                continue
            if decision == titles.COLUMN and unchanged and (columns or response.meta.get(_PEEK)):
                decision, reason = "skip", "sub-column of an unchanged list (only its newest is checked)"
            self._log(site, decision, reason, url, link.title)
            if decision == titles.REPORT:
                report_links += 1
                new_links += url not in site.found and not self._done(url)
                yield from self._report_request(site, url, link.title, response.url)
            elif decision == titles.COLUMN:
                columns += 1
                yield self._list_request(site, PageRef(url), hops=hops + 1, peek=unchanged)
        self._check_matching(site, response.url, report_links)
        if self._paginate(site, report_links, new_links, unchanged):
            for ref in self._next_pages(site, adapter, response):
                yield self._list_request(site, ref, hops=hops)
        if "not_modified" not in response.flags:
            yield self._item(response, site, KIND_LIST, report_links=report_links)

    def _unchanged(self, response: TextResponse) -> bool:
        """The list page is what it was last run: answered 304, or the same bytes (a server that
        sends no validators)."""
        if "not_modified" in response.flags:
            return True
        previous = self.ctx.state.get(response.url)
        return previous is not None and previous.sha256 == hashlib.sha256(response.body).hexdigest()

    def _paginate(self, site: SiteProgress, report_links: int, new_links: int, unchanged: bool) -> bool:
        """Lists run newest first: in an incremental run, a page whose reports are all known ends
        the list, and so does an unchanged page without reports (an empty newest year of a year
        module): an unchanged site costs its first list page."""
        if not site.incremental or new_links > 0:
            return True
        return report_links == 0 and not unchanged

    def _next_pages(self, site: SiteProgress, adapter: Adapter, response: TextResponse) -> list[PageRef]:
        refs = adapter.next_pages(response, response.meta.get(_PAGE_STATE, {}))
        if site.pagination_re:
            refs += [
                PageRef(link.url)
                for link in adapter.list_links(response)
                if site.pagination_re.search(link.url)
            ]
        return refs

    def _check_matching(self, site: SiteProgress, url: str, report_links: int) -> None:
        previous = self.ctx.state.get(url)
        if previous and previous.report_links > 0 and report_links == 0:
            self.ctx.error(
                site.entry.id,
                "list_stopped_matching",
                f"{url}: {previous.report_links} report links before, now 0",
            )

    def _detect(self, site: SiteProgress, response: TextResponse) -> Adapter:
        site.adapter = detect(response)
        decisions.debug(
            "site %s: detected CMS family %s from %s", site.entry.id, site.adapter.name, response.url
        )
        return site.adapter

    # --- detail pages and attachments ----------------------------------------------------------

    def parse_detail(self, response: Response) -> Iterator[Request | FetchedItem]:
        site = self._site(response)
        if not isinstance(response, TextResponse):  # a document served where a page was linked
            yield self._item(response, site, KIND_PAGE, title=response.meta[_LINK][1])
            return
        response = decoded_response(response, site.entry.encoding)
        fields, attachments = self._read_detail(site, response)
        fields["title"] = fields["title"] or response.meta[_LINK][1]
        # `fields` holds the page's str metadata (title, published, ...), never report_links.
        yield self._item(response, site, KIND_PAGE, **fields)  # type: ignore[arg-type]
        yield from self._attachment_requests(site, response.url, attachments, fields)
        yield from self._source_requests(site, response, fields)

    def _source_requests(
        self, site: SiteProgress, response: TextResponse, fields: dict[str, str]
    ) -> Iterator[Request]:
        """The API answers that fill a shell page, fetched as its attachments: the page and its
        body stay one report, and each answer has its own URL in the archive and the state."""
        for ref in (site.adapter or GENERIC).detail_sources(response):
            if self._done(ref.url):
                self._log(site, "skip", "known page source", ref.url, fields["title"])
                continue
            self._log(site, "attachment", "body of a script-filled page", ref.url, fields["title"])
            meta = {_LINK: (ref.url, fields["title"]), _PARENT: (response.url, fields)}
            formdata = ref.formdata if ref.method == "POST" else None
            yield self._request(site, ref.url, KIND_ATTACHMENT, self.parse_attachment, meta, formdata)

    @staticmethod
    def _read_detail(site: SiteProgress, response: TextResponse) -> tuple[dict[str, str], list[Link]]:
        adapter = site.adapter or GENERIC
        content = adapter.content(response)
        return adapter.detail_fields(response, content), find_attachments(response, content)

    def _attachment_requests(
        self, site: SiteProgress, page_url: str, attachments: list[Link], fields: dict[str, str]
    ) -> Iterator[Request]:
        for attachment in attachments:
            try:
                url = canonical_url(attachment.url)
            except ValueError:
                self._log(site, "skip", "malformed URL", attachment.url, attachment.title)
                continue
            if self._done(url):
                self._log(site, "skip", "known attachment", url, attachment.title)
                continue
            self._log(site, "attachment", "linked from a report page", url, attachment.title)
            meta = {_LINK: (url, attachment.title), _PARENT: (page_url, fields)}
            yield self._request(site, url, KIND_ATTACHMENT, self.parse_attachment, meta)

    def _archived_attachments(self, site: SiteProgress, url: str) -> Iterator[Request]:
        """The attachments (and API sources) of a report page archived by an interrupted run, read
        from the archived copy (no request): the run may have stopped before it fetched them."""
        state = self.ctx.state.get(url)
        if state is None or state.kind != KIND_PAGE or not state.sha256:
            return
        headers = Headers({"Content-Type": state.content_type})
        body = self.ctx.archive.get(state.sha256)
        archived = responsetypes.from_args(headers=headers, url=url, body=body)(
            url=url, headers=headers, body=body
        )
        if isinstance(archived, TextResponse):
            page = decoded_response(archived, site.entry.encoding)
            fields, attachments = self._read_detail(site, page)
            yield from self._attachment_requests(site, url, attachments, fields)
            yield from self._source_requests(site, page, fields)

    def parse_attachment(self, response: Response) -> Iterator[FetchedItem]:
        site = self._site(response)
        parent_url, fields = response.meta.get(_PARENT, ("", {}))
        link_title = response.meta[_LINK][1]
        inherited = {k: v for k, v in fields.items() if k != "title"}
        filename = disposition_filename(response) or filename_of(response.url)
        title = link_title or filename
        yield self._item(
            response,
            site,
            KIND_ATTACHMENT,
            parent_url=parent_url,
            filename=filename,
            title=title,
            **inherited,
        )

    def _report_request(self, site: SiteProgress, url: str, title: str, list_url: str) -> Iterator[Request]:
        if url in site.found:
            return
        site.found.add(url)
        self.ctx.count(site.entry.id, "reports_found")
        if self._done(url):
            self._log(site, "skip", "known report", url, title)
            if not site.incremental:  # resuming: finish what the interrupted run left undone
                yield from self._archived_attachments(site, url)
            return
        meta: dict[str, Any] = {_LINK: (url, title)}
        if is_document_url(url):  # a report published only as a file, linked from the list
            meta[_PARENT] = (list_url, {})
            yield self._request(site, url, KIND_ATTACHMENT, self.parse_attachment, meta)
        else:
            yield self._request(site, url, KIND_PAGE, self.parse_detail, meta)

    def _done(self, url: str) -> bool:
        """Archived before (or refused for good with a 4xx): not fetched again unless --full."""
        return not self.ctx.full and self.ctx.state.is_done(url, retry_client_errors=False)

    # --- requests, items, errors ---------------------------------------------------------------

    def _list_request(self, site: SiteProgress, ref: PageRef, hops: int, peek: bool = False) -> Request:
        meta = {META_TRUSTED: ref.trusted, _HOPS: hops, _PAGE_STATE: ref.state, _PEEK: peek}
        if ref.method == "POST":
            return self._request(site, ref.url, KIND_LIST, self.parse_list, meta, formdata=ref.formdata)
        return self._request(site, canonical_url(ref.url), KIND_LIST, self.parse_list, meta)

    def _request(
        self,
        site: SiteProgress,
        url: str,
        kind: str,
        callback: Any,
        meta: dict[str, Any],
        formdata: dict[str, str] | None = None,
    ) -> Request:
        meta = {**meta, META_SITE: site.entry.id, META_KIND: kind}
        if site.adapter is not None:
            meta[_ADAPTER] = site.adapter.name
        common = {"callback": callback, "errback": self.on_error, "meta": meta, "priority": _PRIORITY[kind]}
        if formdata is not None:
            return FormRequest(url, formdata=formdata, **common)
        return Request(url, **common)

    def _item(
        self, response: Response, site: SiteProgress, kind: str, report_links: int = -1, **fields: str
    ) -> FetchedItem:
        entry = site.entry
        record = FetchRecord(
            url=response.url,
            sha256="",
            fetched_at=utc_now(),
            status=response.status,
            content_type=_header(response, "Content-Type"),
            kind=kind,
            site_id=entry.id,
            agency=entry.agency,
            region_code=entry.region_code or "",
            level=entry.level or "",
            headers={
                k.decode("latin-1"): ", ".join(v.decode("latin-1") for v in vs)
                for k, vs in response.headers.items()
            },
            **fields,  # type: ignore[arg-type]  # only FetchRecord's str metadata fields
        )
        link = response.meta.get(_LINK)
        return FetchedItem(
            record=record,
            body=response.body,
            requested_url=link[0] if link else "",
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            report_links=report_links,
        )

    def on_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        site_id, kind = request.meta[META_SITE], request.meta[META_KIND]
        if failure.check(OutOfScope):
            return  # counted and logged by the scope guard
        if failure.check(ChallengeDetected):
            self.ctx.error(site_id, "challenge", str(failure.value))
        elif failure.check(RedirectLoop):
            self.ctx.error(site_id, "redirect_loop", str(failure.value))
        elif failure.check(IgnoreRequest) and "max redirections" in str(failure.value):
            self.ctx.error(site_id, "too_many_redirects", request.url)
        elif "DOWNLOAD_MAXSIZE" in str(failure.value) or "download max size" in str(failure.value):
            self.ctx.error(site_id, "too_large", f"{request.url}: {failure.value}")  # declared or inflated
        elif isinstance(failure.value, HttpError):
            status = failure.value.response.status
            self.ctx.error(site_id, f"http_{status}", request.url)
            if kind != KIND_LIST and 400 <= status < 500:
                # Gone for good: not asked again until a --full run.
                self.ctx.state.put(UrlState(request.url, site_id, kind, status, fetched_at=utc_now()))
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.ctx.count(site_id, "refused/robots")
            decisions.debug("refuse %s site=%s reason=robots.txt", request.url, site_id)
        elif is_tls_failure(failure):
            self.ctx.error(site_id, "tls_error", f"{request.url}: {failure.value}")
        else:  # timeouts, refused connections, DNS failures … (after the retries)
            error = failure.value
            self.ctx.error(site_id, f"fetch_{type(error).__name__}", f"{request.url}: {error}")

    def _site(self, response: Response) -> SiteProgress:
        site = self.sites[response.meta[META_SITE]]
        if site.adapter is None and _ADAPTER in response.meta:
            site.adapter = adapter_for(response.meta[_ADAPTER])
        return site

    def _log(self, site: SiteProgress, decision: str, reason: str, url: str, title: str) -> None:
        self.ctx.count(site.entry.id, f"links/{decision}")
        decisions.debug("%s %s site=%s reason=%s title=%r", decision, url, site.entry.id, reason, title)


def decide(site: SiteProgress, adapter: Adapter, link: Link, hops: int, max_hops: int) -> tuple[str, str]:
    """(REPORT | COLUMN | "skip", why) for one link of a list page.

    Titles decide what a link is; URLs only keep the crawl in scope: a report must be on the site's
    hosts (files may be elsewhere), a sub-column under the report column and not too deep.
    """
    url = canonical_url(link.url)
    kind, reason = titles.classify(link.title)
    if site.link_re and site.link_re.search(url) and kind != titles.NOT_REPORT:
        kind, reason = titles.REPORT, "registry link_pattern"
    if host_of(url) not in site.hosts and not is_document_url(url):
        return "skip", f"offsite ({kind})"
    if kind == titles.REPORT and looks_like_column_index(url) and in_column(site, url):
        kind, reason = titles.COLUMN, "report title on a column index"
    if kind == titles.REPORT:
        return kind, reason
    if kind != titles.COLUMN:
        return "skip", reason
    if not in_column(site, url):
        return "skip", "sub-column outside the report column"
    if url in site.start_pages or adapter.pages_itself(url):
        return "skip", "a page of the report column itself"
    if adapter.is_detail_url(url) or is_document_url(url):
        return "skip", "column title on a document link"
    if hops >= max_hops:
        return "skip", "sub-column too deep"
    return kind, reason


def is_tls_failure(failure: Failure) -> bool:
    """A TLS handshake or certificate failure, however it is wrapped: Scrapy raises its own errors
    `from` Twisted's, whose ResponseFailed and friends carry the underlying failures in `reasons`."""
    pending: list[BaseException | None] = [failure.value]
    seen = 0
    while pending and seen < 20:
        error = pending.pop()
        if error is None:
            continue
        seen += 1
        if type(error).__module__.startswith(("OpenSSL", "ssl")) or "SSL" in type(error).__name__:
            return True
        pending += [getattr(r, "value", r) for r in getattr(error, "reasons", None) or []]
        pending += [error.__cause__, error.__context__]
    return False


def in_column(site: SiteProgress, url: str) -> bool:
    path = urlsplit(url).path
    return host_of(url) in site.hosts and any(path.startswith(root) for root in site.roots)


def _header(response: Response, name: str) -> str:
    return (response.headers.get(name) or b"").decode("latin-1")


def decoded_response(response: TextResponse, forced: str | None) -> TextResponse:
    """The response read in the right encoding: the registry's when it forces one, the declared one,
    else the one the bytes reveal (an undeclared GBK page must not be read as UTF-8)."""
    if forced:
        return response.replace(encoding=forced)
    if "charset=" in _header(response, "Content-Type").lower() or declared_charset(response.body):
        return response
    return response.replace(encoding=decode_text(response.body)[1])


def disposition_filename(response: Response) -> str:
    """The file name a server gives in Content-Disposition (RFC 6266 `filename*`, or a raw
    `filename` in UTF-8 or GBK bytes, as Chinese servers send it)."""
    raw = response.headers.get("Content-Disposition")
    if not raw:
        return ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", "replace")
    message = Message()
    message["Content-Disposition"] = text
    name = message.get_filename() or ""
    return unquote(name)
