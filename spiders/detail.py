"""What a detail page says about its document: metadata fields and attachments.

Labels vary (索 引 号 / 发布机构 / 发布日期 …) and sit in tables, in "label：value" runs, or in the
standard meta tags of government sites (ArticleTitle, PubDate, ContentSource, SiteIDCode); the
helpers here read all of them. CMS-family adapters only choose where the content is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from lxml.html import HtmlElement
from parsel import Selector
from scrapy.http import TextResponse

from pipeline.crawl.urls import (
    DOCUMENT_EXTENSIONS,
    extension,
    filename_of,
    is_document_url,
    is_image_url,
    join_url,
)
from pipeline.numbers import squash

# Field -> labels, in order of preference (the first one found wins).
LABELS: dict[str, tuple[str, ...]] = {
    "title": ("名称", "标题", "文件名称"),
    "published": ("发布日期", "发布时间", "公开日期", "发文日期", "成文日期", "日期"),
    "publisher": ("发布机构", "来源", "信息来源", "发布单位", "发布者"),
    "index_no": ("索引号",),
    "doc_number": ("文号", "发文字号"),
}
META_TAGS = {
    "title": "ArticleTitle",
    "published": "PubDate",
    "publisher": "ContentSource",
    "site_id_code": "SiteIDCode",
}
_ALL_LABELS = sorted({label for labels in LABELS.values() for label in labels}, key=len, reverse=True)
_LABEL_KEYS = frozenset(_ALL_LABELS)
# A label may be spaced out ("索 引 号") and is followed by a colon or ends its text run.
_LABEL_RE = re.compile(
    r"(?:^|(?<=\s))("
    + "|".join(r"\s*".join(map(re.escape, label)) for label in _ALL_LABELS)
    + r")\s*(?:[:：]|$)"
)
# The next "label:" in the same run ends a value ("发布者:区政府办 发布日期:2018-03-16").
_NEXT_LABEL = re.compile(r"\s+\S{1,6}[:：]")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PDF_VIEWER = re.compile(r"(pdfjs|viewer)", re.I)
_QUOTED_URL = re.compile(r"""["']([^"'\s]+)["']""")


@dataclass(frozen=True)
class Link:
    url: str  # absolute
    title: str


def text_runs(root: HtmlElement, skip: HtmlElement | None = None) -> list[str]:
    """The visible text of a page outside `skip` (the report body), one entry per text node,
    NFKC-normalised and stripped."""
    runs = (unicodedata.normalize("NFKC", text).strip() for text in _texts(root, skip))
    return [r for r in runs if r]


def _texts(element: HtmlElement, skip: HtmlElement | None) -> Iterator[str]:
    if element is not skip and isinstance(element.tag, str) and element.tag not in ("script", "style"):
        yield element.text or ""
        for child in element:
            yield from _texts(child, skip)
    yield element.tail or ""


def labelled_values(root: HtmlElement, skip: HtmlElement | None = None) -> dict[str, str]:
    """Label (unspaced) -> value, outside `skip`: from metadata tables (a label cell, then its value
    cell, which may be blank: 文号 often is), then from "label：value" text runs."""
    found: dict[str, str] = {}
    inside = set(skip.iter("td", "th")) if skip is not None else set()
    for cell in root.iter("td", "th"):
        label = None if cell in inside else _whole_label(_text(cell))
        if label:
            value_cell = next((c for c in cell.itersiblings() if c.tag in ("td", "th")), None)
            found.setdefault(label, _text(value_cell) if value_cell is not None else "")
    runs = text_runs(root, skip)
    for i, run in enumerate(runs):
        for match in _LABEL_RE.finditer(run):
            label = squash(match.group(1))
            value = _NEXT_LABEL.split(run[match.end() :], maxsplit=1)[0].strip()
            alone = match.end() == len(run) and label not in found  # <span>发布机构：</span><span>…</span>
            if not value and alone and i + 1 < len(runs) and not _LABEL_RE.match(runs[i + 1]):
                value = runs[i + 1]
            if value:
                found.setdefault(label, value)
    return found


def _text(element: HtmlElement) -> str:
    return " ".join(unicodedata.normalize("NFKC", element.text_content()).split())


def _whole_label(text: str) -> str | None:
    if len(text) > 12:  # a label cell holds a label, not a sentence
        return None
    label = squash(text).rstrip(":：")
    return label if label in _LABEL_KEYS else None


def normalise_date(text: str) -> str:
    match = _DATE.search(text)
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def detail_fields(response: TextResponse, content: Selector | None = None) -> dict[str, str]:
    """title, published (YYYY-MM-DD), publisher, index_no, doc_number and site_id_code of a page;
    labels are read outside the report body (`content`), where the page's metadata is."""
    labelled = labelled_values(response.selector.root, content.root if content is not None else None)
    if content is not None and not any(labelled.values()):  # the metadata sits inside the body's box
        labelled = labelled_values(response.selector.root)
    fields = {
        field: next((labelled[k] for k in labels if labelled.get(k)), "") for field, labels in LABELS.items()
    }
    for field, name in META_TAGS.items():
        value = response.xpath(
            f"//meta[translate(@name,'{name.upper()}','{name.lower()}')='{name.lower()}']/@content"
        )
        meta = (value.get() or "").strip()
        # Metadata tables name the document as the agency filed it; meta tags are the fallback.
        fields[field] = fields.get(field) or meta
    if not fields["title"]:
        heading = " ".join(response.css("h1 ::text").getall()).strip()
        page_title = re.split(r"\s*[_|｜]\s*|\s+-\s+", (response.css("title::text").get() or "").strip())[0]
        fields["title"] = heading or page_title
    fields["published"] = normalise_date(fields["published"])
    return fields


def find_attachments(response: TextResponse, content: Selector | None = None) -> list[Link]:
    """Every file a detail page offers: linked documents (also extension-less download endpoints
    named by their link text), `onclick`/`window.open` links, `<iframe>/<embed>/<object>` PDFs,
    `/pdfjs/viewer?file=…` viewers, and the images inside the content (image-only reports)."""
    found: dict[str, Link] = {}

    def add(raw: str, title: str) -> None:
        url = _viewer_target(join_url(response.url, raw.strip()) or "")
        if url.startswith(("http://", "https://")) and url not in found:
            found[url] = Link(url, title.strip() or filename_of(url))

    for a in response.selector.root.iter("a"):
        title = a.text_content().strip() or (a.get("title") or "")
        href = a.get("href") or ""
        if href and not href.lower().startswith(("javascript:", "mailto:", "#")):
            url = _viewer_target(join_url(response.url, href) or "")
            if (url and is_document_url(url)) or is_image_url(url) or extension(title) in DOCUMENT_EXTENSIONS:
                add(href, title)
        for script in (href, a.get("onclick") or ""):
            for candidate in _QUOTED_URL.findall(script):
                if is_document_url(candidate):
                    add(candidate, title)
    for frame in response.css("iframe, embed, object"):
        src = frame.attrib.get("src") or frame.attrib.get("data") or ""
        if src and is_document_url(_viewer_target(join_url(response.url, src) or "")):
            add(src, frame.attrib.get("title", ""))
    for src in content.css("img::attr(src)").getall() if content is not None else []:
        if is_image_url(src) and not src.startswith("data:"):
            add(src, "")
    return list(found.values())


def _viewer_target(url: str) -> str:
    """`/pdfjs/web/viewer.html?file=/a/b.pdf` -> the PDF itself."""
    parts = urlsplit(url)
    if _PDF_VIEWER.search(parts.path):
        files = parse_qs(parts.query).get("file")
        if files:
            return join_url(url, files[0]) or url
    return url
