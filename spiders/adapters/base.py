"""The adapter interface, and the generic adapter every CMS family builds on.

An adapter knows three things about one CMS family: where the items of a list page are, how a
list continues (pagination), and what its detail URLs look like. Deciding which links are reports
is not the adapter's job (titles decide, see `spiders.titles`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import TextResponse

from pipeline.crawl.urls import canonical_url, directory, join_url
from pipeline.numbers import squash
from pipeline.registry import SiteEntry
from spiders.detail import Link, detail_fields

_NEXT_WORDS = frozenset({"下一页", "下页", "下一頁", "后页", "next", ">", ">>", "»", "›"})
_PAGE_PARAM = re.compile(r"(?<=[?&])(page|pageno|pagenum|pageindex|cur_page|curpage|p)=(\d+)", re.I)
_PAGE_FILE = re.compile(r"(?:(?<=/)|(?<=_))(\d+)(\.\w+)$")
_INDEX_FILE = re.compile(r"/(index|list|default)(\.\w+)$")
_ELLIPSIS = re.compile(r"(\.{2,}|…+)$")


@dataclass(frozen=True)
class PageRef:
    """A list page to fetch, found in a page or built by an adapter."""

    url: str
    method: str = "GET"
    formdata: dict[str, str] = field(default_factory=dict)
    trusted: bool = False  # built by the adapter (paging endpoint, year), exempt from the calendar guard
    state: dict[str, Any] = field(default_factory=dict)  # adapter bookkeeping carried to the response


class Adapter:
    """The generic family: plain HTML lists of titled links, next-page links, any URL shape."""

    name = "generic"
    detail_pattern: re.Pattern[str] | None = None
    markers: tuple[bytes, ...] = ()  # bytes in a page (or its URL) that give the family away
    # Tried in order; the first that matches is the report body.
    content_css = ".TRS_Editor, .trs_editor_view, #zoom, .article-content, .content, #content, .article"

    def matches(self, response: TextResponse) -> bool:
        """Whether a list page was made by this family."""
        head = response.body[:200_000]
        if any(m in head or m.decode() in response.url for m in self.markers):
            return True
        return self.detail_pattern is not None and any(
            self.is_detail_url(link.url) for link in anchors(response)
        )

    def start_pages(self, url: str, entry: SiteEntry) -> list[PageRef]:
        return [PageRef(url)]

    def scope_root(self, url: str) -> str:
        """The path prefix of the report column: sub-columns are looked for under it."""
        return directory(url)

    def list_links(self, response: TextResponse) -> list[Link]:
        return anchors(response)

    def next_pages(self, response: TextResponse, state: dict[str, Any]) -> list[PageRef]:
        return generic_next(response)

    def pages_itself(self, url: str) -> bool:
        """Whether a URL is a page of a list this adapter builds itself (links to it are not followed)."""
        return False

    def is_detail_url(self, url: str) -> bool:
        return bool(self.detail_pattern and self.detail_pattern.search(urlsplit(url).path))

    def content(self, response: TextResponse) -> Selector | None:
        """The element holding the report body (its images are attachments, its text no metadata)."""
        for css in self.content_css.split(","):
            found = response.css(css.strip())
            if found:
                return found[0]
        return None

    def detail_fields(self, response: TextResponse, content: Selector | None) -> dict[str, str]:
        return detail_fields(response, content)

    def detail_sources(self, response: TextResponse) -> list[PageRef]:
        """Requests that carry the body of a detail page whose HTML is an empty shell filled by
        script (an API answer, archived as the page's attachment); none on server-rendered pages."""
        return []


def anchors(response: TextResponse | Selector, base_url: str | None = None) -> list[Link]:
    """Every followable `<a href>` with its title (the `title` attribute when it is the fuller one:
    lists cut long titles in the text)."""
    base = base_url or (response.url if isinstance(response, TextResponse) else "")
    links = []
    root = response.selector.root if isinstance(response, TextResponse) else response.root
    for a in root.iter("a"):  # lxml directly: parsel's per-element queries cost more than the rest
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        text = " ".join(a.xpath("string()").split())
        attr = " ".join((a.get("title") or "").split())
        fuller = attr and (len(attr) >= len(text) or _ELLIPSIS.search(text))
        url = join_url(base, href)
        if url is not None:
            links.append(Link(url, attr if fuller else text))
    return links


def generic_next(response: TextResponse) -> list[PageRef]:
    """The next list page: a 下一页/下页/› link, else the successor of this page's number
    (`?page=N`, `/N.html`, `index_N.html`) when the page links to it."""
    links = anchors(response)
    for link in links:
        if squash(link.title).lower() in _NEXT_WORDS and canonical_url(link.url) != canonical_url(
            response.url
        ):
            return [PageRef(link.url)]
    linked = {canonical_url(link.url) for link in links}
    for candidate in successors(response.url):
        if canonical_url(candidate) in linked:
            return [PageRef(candidate)]
    return []


def successors(url: str) -> list[str]:
    """Plausible URLs of the page after `url`."""
    parts = urlsplit(url)
    if _PAGE_PARAM.search("?" + parts.query):
        query = _PAGE_PARAM.sub(lambda m: f"{m[1]}={int(m[2]) + 1}", "?" + parts.query)[1:]
        return [urlunsplit(parts._replace(query=query))]
    path = parts.path if not parts.path.endswith("/") else parts.path + "index.html"
    query_page = urlunsplit(parts._replace(query=(parts.query + "&" if parts.query else "") + "page=2"))
    numbered = _PAGE_FILE.search(path)
    if numbered:
        return [urljoin(url, _PAGE_FILE.sub(lambda m: f"{int(m[1]) + 1}{m[2]}", path))]
    first = _INDEX_FILE.search(path)
    if first:
        stem, ext = first.groups()
        return [urljoin(url, name + ext) for name in (f"{stem}_1", f"{stem}_2", f"{stem}/2", "2")] + [
            query_page
        ]
    return [query_page]
