"""Families whose pages are filled by script from an API: Epoint/新点 WebBuilder detail pages, and
single-page (Vue) sites whose lists and articles are JSON answers to POST requests.

What the real sites do, as public crawlers of them record it (a filing tool's importer of Shanghai
district reports; the sites named there are 虹口, 静安, 松江 for WebBuilder and 奉贤 for the SPA):

Epoint WebBuilder
- a detail page is `…/showinfo.html?infoGuid=<uuid>` (or has the uuid in its path) and its body
  element `#info_spnContent` is empty in the HTML; the page script defines
  `var siteInfo = {siteGuid: "…", projectName: "/EpointWebBuilder"}`;
- the body comes from POST `<projectName>/rest/frontAppNotNeedLoginAction/getGovInfoDetail`
  (variants `/rest/commonapiaction/getgovinfodetail`), form field `params` = JSON
  `{"siteGuid": …, "infoid": <uuid>}`; the answer is `{"custom": {"status": …, "data": {"title",
  "infocontent", "infodate", "deptname", "pdflist": [{"attachname", "attachurl"}]}}}`.
Single-page sites
- an article's address is `/art/info/<columnId>/<articleId>` and its HTML is the app shell
  (`<div id="app">`, `chunk-vendors.js`);
- the article comes from POST `/html/info/detail`, form `id=<articleId>`, answered as
  `{"success": true, "data": {"title", "body", "dept", …}}`.
- Not seen in public material, and so the replica's assumption: the list endpoint. It is taken as
  POST `/html/info/list` with `columnId`, `pageNo`, `pageSize`, answered as `{"success": true,
  "data": {"total", "pageNo", "pageSize", "list": [{"id", "title", "publishDate"}]}}`; a site that
  lists otherwise needs its own `link_pattern` or a variant of this adapter.

The API's answer is archived as the shell page's attachment under its own URL: the article id
rides in the query string too (the servers read the form body), so that each answer has one URL in
the archive and the state store, as Hanweb's dataproxy paging does.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import TextResponse

from pipeline.registry import SiteEntry
from spiders.adapters.base import Adapter, PageRef
from spiders.detail import Link

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID_RE = re.compile(_UUID, re.I)
_SITE_INFO = re.compile(r"siteInfo\s*=\s*\{(.*?)\}", re.S)
_JS_FIELD = r"""["']?{name}["']?\s*:\s*["']([^"']*)["']"""
_EPOINT_DETAIL = "/rest/frontAppNotNeedLoginAction/getGovInfoDetail"
_EMPTY_BODY = re.compile(r"""id=["']info_spnContent["'][^>]*>\s*</""", re.I)

_SPA_ARTICLE = re.compile(r"^(?P<root>.*?)/art/info/(?P<column>[^/]+)/(?P<article>[^/]+)/?$")
_SPA_COLUMN = re.compile(r"^(?P<root>.*?)/column/(?P<column>[^/?#]+)")
_SPA_PAGE_SIZE = 20


class EpointAdapter(Adapter):
    name = "epoint"
    detail_pattern = re.compile(rf"showinfo\.html$|/{_UUID}\.html$", re.I)
    markers = (b"EpointWebBuilder", b"info_spnContent", b"getGovInfoDetail", b"webBuilderCommon")
    content_css = "#info_spnContent, .ewb-article-info, .article-content, #zoom"

    def detail_sources(self, response: TextResponse) -> list[PageRef]:
        if not _EMPTY_BODY.search(response.text):
            return []  # rendered on the server: the page is the report
        guid = _info_guid(response)
        if not guid:
            return []
        site_info = _SITE_INFO.search(response.text)
        fields = site_info.group(1) if site_info else ""
        project = _js_field(fields, "projectName") or "/EpointWebBuilder"
        params = {"siteGuid": _js_field(fields, "siteGuid"), "infoid": guid}
        parts = urlsplit(response.url)
        endpoint = urlunsplit(
            parts._replace(path=project.rstrip("/") + _EPOINT_DETAIL, query=f"infoid={guid}")
        )
        return [PageRef(endpoint, method="POST", formdata={"params": json.dumps(params)}, trusted=True)]


def _info_guid(response: TextResponse) -> str:
    query = parse_qs(urlsplit(response.url).query)
    for key in ("infoGuid", "infoguid", "infoid", "infoId"):
        if query.get(key) and _UUID_RE.fullmatch(query[key][0]):
            return query[key][0]
    in_path = _UUID_RE.search(urlsplit(response.url).path)
    if in_path:
        return in_path.group(0)
    in_page = re.search(rf"""(?:infoGuid|infoid)["'\s:=]+({_UUID})""", response.text, re.I)
    return in_page.group(1) if in_page else ""


def _js_field(text: str, name: str) -> str:
    found = re.search(_JS_FIELD.format(name=name), text)
    return found.group(1) if found else ""


class SpaJsonAdapter(Adapter):
    name = "spa_json"
    detail_pattern = re.compile(r"/art/info/[^/]+/[^/]+/?$")
    markers = (b"/html/info/list", b"/html/info/detail")

    def matches(self, response: TextResponse) -> bool:
        head = response.body[:20_000]
        shell = b'id="app"' in head and b"chunk-vendors" in head
        return shell or "/html/info/" in response.url or super().matches(response)

    def start_pages(self, url: str, entry: SiteEntry) -> list[PageRef]:
        column = _SPA_COLUMN.match(urlsplit(url).path)
        if not column:
            return [PageRef(url)]
        return [self._list_page(url, column["root"], column["column"], 1)]

    def pages_itself(self, url: str) -> bool:
        return "/html/info/list" in url

    def list_links(self, response: TextResponse) -> list[Link]:
        data = _json_data(response)
        if data is None:
            return super().list_links(response)
        parts = urlsplit(response.url)  # {root}/html/info/list?columnId=…&pageNo=…
        root = parts.path.removesuffix("/html/info/list")
        column = parse_qs(parts.query).get("columnId", [""])[0]
        return [
            Link(
                urlunsplit(parts._replace(path=f"{root}/art/info/{column}/{item['id']}", query="")),
                item["title"],
            )
            for item in data.get("list", [])
            if isinstance(item, dict) and item.get("id") and item.get("title")
        ]

    def next_pages(self, response: TextResponse, state: dict[str, Any]) -> list[PageRef]:
        data = _json_data(response)
        if data is None or "column" not in state:
            return []
        page, total = int(state["page"]), int(data.get("total") or 0)
        if page * _SPA_PAGE_SIZE >= total:
            return []
        return [self._list_page(response.url, state["root"], state["column"], page + 1)]

    def detail_fields(self, response: TextResponse, content: Selector | None) -> dict[str, str]:
        fields = super().detail_fields(response, content)
        if self.detail_sources(response):  # the shell's <title> is the site's name: the list's title wins
            fields["title"] = ""
        return fields

    def detail_sources(self, response: TextResponse) -> list[PageRef]:
        article = _SPA_ARTICLE.match(urlsplit(response.url).path)
        if not article or _json_data(response) is not None:
            return []
        parts = urlsplit(response.url)
        endpoint = urlunsplit(
            parts._replace(path=f"{article['root']}/html/info/detail", query=f"id={article['article']}")
        )
        return [PageRef(endpoint, method="POST", formdata={"id": article["article"]}, trusted=True)]

    @staticmethod
    def _list_page(url: str, root: str, column: str, page: int) -> PageRef:
        parts = urlsplit(url)
        endpoint = urlunsplit(
            parts._replace(
                path=f"{root}/html/info/list", query=f"columnId={column}&pageNo={page}", fragment=""
            )
        )
        form = {"columnId": column, "pageNo": str(page), "pageSize": str(_SPA_PAGE_SIZE)}
        return PageRef(
            endpoint,
            method="POST",
            formdata=form,
            trusted=True,
            state={"root": root, "column": column, "page": page},
        )


def _json_data(response: TextResponse) -> dict[str, Any] | None:
    """The `data` object of a JSON answer; None for an HTML page."""
    if response.body.lstrip()[:1] != b"{":
        return None
    try:
        payload = json.loads(response.text)
    except ValueError:
        return None
    data = payload.get("data") if isinstance(payload, dict) else None
    return data if isinstance(data, dict) else None
