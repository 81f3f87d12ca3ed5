"""Hanweb 大汉 JCMS: column pages embed their first records as datastore XML, later records come
from the `dataproxy.jsp` paging endpoint; and Zhejiang's annual-report module, a list per year."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import TextResponse

from pipeline.registry import SiteEntry
from spiders.adapters.base import Adapter, PageRef, anchors
from spiders.detail import Link

# /art/2024/1/29/art_1229231425_4236209.html (month and day not zero-padded).
_ART = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d+)|<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_GROUP_SIZE = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d+)", re.I)
_NEXT_GROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[\s*<a\s+href=['\"]([^'\"]+)['\"]", re.I)
_PROXY_URL = re.compile(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", re.I)
_DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
FIRST_REPORT_YEAR = 2008  # the 2007 条例 made reports annual from 2008


class HanwebAdapter(Adapter):
    name = "hanweb"
    detail_pattern = _ART
    markers = (b"<datastore>", b"/col/col", b"jpage")
    content_css = "#zoom, .bt-article, .article-content, #barrierfree_container"

    def scope_root(self, url: str) -> str:
        # Sub-columns are columns of their own (/col/col5678/), so the scope is every column.
        path = urlsplit(url).path
        cut = path.find("/col/")
        return path[: cut + len("/col/")] if cut >= 0 else super().scope_root(url)

    def list_links(self, response: TextResponse) -> list[Link]:
        records = _RECORD.findall(response.text)
        embedded = [link for record in records for link in anchors(Selector(text=record), response.url)]
        # A dataproxy answer is XML; only a column page has page chrome (sub-column links) too.
        return embedded + (anchors(response) if "<html" in response.text[:2000].lower() else [])

    def next_pages(self, response: TextResponse, state: dict[str, Any]) -> list[PageRef]:
        total = _TOTAL.search(response.text)
        if not total:
            return super().next_pages(response, state)
        total_records = int(total[1] or total[2])
        if "end" in state:  # a dataproxy answer: continue after it
            proxy, form, per_page, group, start = (
                state["proxy"],
                state["form"],
                state["perpage"],
                state["group"],
                state["end"] + 1,
            )
        else:  # the column page: continue after the records it embeds
            proxy, form = self._endpoint(response)
            per_page = int(_match(_PER_PAGE, response.text, "15"))
            group = per_page * int(_match(_GROUP_SIZE, response.text, "3"))
            start = len(_RECORD.findall(response.text)) + 1
        if start > total_records:
            return []
        end = start + group - 1
        url = f"{proxy}?startrecord={start}&endrecord={end}&perpage={per_page}"
        state = {"proxy": proxy, "form": form, "perpage": per_page, "group": group, "end": end}
        return [PageRef(url, method="POST", formdata=form, trusted=True, state=state)]

    @staticmethod
    def _endpoint(response: TextResponse) -> tuple[str, dict[str, str]]:
        """The paging endpoint and its form fields (from the datastore's `nextgroup` link)."""
        href = _match(_NEXT_GROUP, response.text, "") or _match(_PROXY_URL, response.text, _DEFAULT_PROXY)
        parts = urlsplit(urljoin(response.url, href))
        form = {"col": "1", "appid": "1", **{k: v for k, v in parse_qsl(parts.query) if k != "page"}}
        return urlunsplit(parts._replace(query="")), form


class ZhejiangAnnualAdapter(Adapter):
    """`/module/xxgk/xxgkAnnualReport.jsp?area=<unit>&fbtime=<year>`: one list per year, the year a
    parameter. Years are visited newest first, one after the other, like pages of one list."""

    name = "zj_annual"
    detail_pattern = _ART
    markers = (b"xxgkAnnualReport",)

    def pages_itself(self, url: str) -> bool:
        return "xxgkAnnualReport.jsp" in url

    def start_pages(self, url: str, entry: SiteEntry) -> list[PageRef]:
        years = sorted(entry.years, reverse=True) or list(range(date.today().year, FIRST_REPORT_YEAR - 1, -1))
        return [self._year_page(url, years, 0)]

    def next_pages(self, response: TextResponse, state: dict[str, Any]) -> list[PageRef]:
        index = state.get("index", -1) + 1
        years = state.get("years", [])
        return [self._year_page(state["url"], years, index)] if index < len(years) else []

    @staticmethod
    def _year_page(url: str, years: list[int], index: int) -> PageRef:
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "fbtime"] + [("fbtime", str(years[index]))]
        page = urlunsplit(parts._replace(query="&".join(f"{k}={v}" for k, v in query)))
        return PageRef(page, trusted=True, state={"url": url, "years": years, "index": index})


def _match(pattern: re.Pattern[str], text: str, default: str) -> str:
    found = pattern.search(text)
    return next((g for g in found.groups() if g), default) if found else default
