"""TRS WCM (拓尔思): static `index.html`, `index_1.html` … lists whose page count is in a script."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from spiders.adapters.base import Adapter, PageRef, generic_next

# createPageHTML(count, current, "index", "html"): pages are index.html, then index_1 … index_{count-1}.
_CREATE_PAGE_HTML = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)|createPage\(\s*['\"]?(\d+)")
_THIS_PAGE = re.compile(r"/(\w+?)(?:_(\d+))?\.(s?html?)$")


class TrsAdapter(Adapter):
    name = "trs"
    # ./202401/t20240125_123456.html (.shtml/.htm), and the dateless t18028213.shtml variant.
    detail_pattern = re.compile(r"/(\d{6}/)?t\d{8}_\d+\.s?html?$|/t\d+\.s?html?$")
    markers = (b"createPageHTML", b"countPage", b"TRS_Editor", b"trs_editor_view")
    content_css = ".TRS_Editor, .trs_editor_view, .view.TRS_UEDITOR, #zoom"

    def next_pages(self, response: TextResponse, state: dict[str, Any]) -> list[PageRef]:
        paging = self._paging(response)
        if paging is None:
            return generic_next(response)
        count, current, stem, ext = paging
        following = current + 1
        return [PageRef(urljoin(response.url, f"{stem}_{following}.{ext}"))] if following < count else []

    @staticmethod
    def _paging(response: TextResponse) -> tuple[int, int, str, str] | None:
        """(page count, current page from 0, file stem, extension) from the paging script."""
        script = _CREATE_PAGE_HTML.search(response.text)
        if script:
            return int(script[1]), int(script[2]), script[3], script[4]
        count = _COUNT_PAGE.search(response.text)
        if not count:
            return None
        path = urlsplit(response.url).path
        this = _THIS_PAGE.search(path if not path.endswith("/") else path + "index.html")
        stem, number, ext = this.groups() if this else ("index", None, "html")
        return int(count[1] or count[2]), int(number or 0), stem, ext
