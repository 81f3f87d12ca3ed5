"""Columns that publish only a file a year, linked straight from the list (no article page)."""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from pipeline.crawl.urls import filename_of, is_document_url
from pipeline.numbers import squash
from spiders.adapters.base import Adapter, anchors
from spiders.detail import Link


class AttachmentListAdapter(Adapter):
    """Columns that publish one file a year (PDF, OFD, DOCX …) linked straight from the list, with no
    article page, the link text only the year or the file's name ("2023年", "2023.pdf").

    Titles still decide: a year-only link takes the column's own name (ColumnName meta, else the
    page title) as the rest of its title, so "2023年" in a 政府信息公开年报 column reads as
    "2023年政府信息公开年报" and is a report, while "2023年" in a 财政预决算 column is not."""

    name = "files"

    def matches(self, response: TextResponse) -> bool:
        links = anchors(response)
        yearly = [link for link in links if _YEAR_ONLY.search(_link_label(link))]
        files = [link for link in yearly if is_document_url(link.url)]
        return len(files) >= 2 and len(files) * 2 > len(yearly)

    def list_links(self, response: TextResponse) -> list[Link]:
        column = _column_name(response)
        return [
            Link(link.url, f"{year}年{column}")
            if is_document_url(link.url) and (year := _year_only(_link_label(link)))
            else link
            for link in anchors(response)
        ]


# "2023", "2023年", "2023年度", "2023.pdf": a year and nothing that says what it is.
_YEAR_ONLY = re.compile(r"^\D{0,2}((?:19|20)\d{2})\s*年?度?(?:\.\w{2,4})?$")


def _year_only(label: str) -> str:
    found = _YEAR_ONLY.search(label)
    return found.group(1) if found else ""


def _link_label(link: Link) -> str:
    return squash(link.title) or filename_of(link.url)


def _column_name(response: TextResponse) -> str:
    named = response.xpath("//meta[@name='ColumnName']/@content").get()
    title = response.xpath("//title/text()").get() or ""
    return squash(named or title.split("_")[0].split("-")[0])
