"""HTML pages: CMS detail pages, Word-pasted tables, any encoding real sites serve."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from pipeline.grid import TableGrid
from pipeline.readers import Document, UnreadableDocument
from pipeline.readers.encoding import decode_text

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "table",
        "tbody",
        "thead",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "center",
        "form",
        "nav",
        "aside",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "head", "select", "option", "button", "template"})
# Standard government-site meta tags (政府网站规范) worth keeping as metadata.
_META_KEYS = {
    "articletitle": "title",
    "pubdate": "published",
    "contentsource": "publisher",
    "siteidcode": "site_id_code",
    "sitename": "site_name",
    "columnname": "column_name",
}
# Containers that hold the article body on the CMS families we know (TRS, Hanweb, 开普云 …).
_CONTENT_HINT = re.compile(
    r"trs_editor|trs_editor_view|zoom|article|content|detail|ucapcontent|bt_content", re.I
)


def read_html(data: bytes) -> Document:
    text, _encoding = decode_text(data)
    if not text.strip():
        raise UnreadableDocument("empty HTML document")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"HTML could not be parsed: {exc}") from exc
    body = _content_root(root)
    grids = {table: _grid(table, i) for i, table in enumerate(_leaf_tables(body), 1)}
    parts: list[str] = []
    _collect(body, parts, top=True, grids=grids)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    document_text = "\n".join(line for line in lines if line)
    return Document(format="html", text=document_text, tables=list(grids.values()), metadata=_meta_tags(root))


def _meta_tags(root: lxml.html.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = _META_KEYS.get((meta.get("name") or "").strip().lower())
        content = (meta.get("content") or "").strip()
        if key and content:
            out.setdefault(key, content)
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        out["page_title"] = " ".join(title.text_content().split())
    return out


def _content_root(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the report: the largest known content container, else the body."""
    body = root.find("body")
    body = body if body is not None else root
    candidates = [
        el
        for el in body.iter()
        if isinstance(el.tag, str)
        and (el.tag == "ucapcontent" or _CONTENT_HINT.search(f"{el.get('class', '')} {el.get('id', '')}"))
    ]
    if not candidates:
        return body
    best = max(candidates, key=lambda el: len(el.text_content()))
    # A container with a small share of the page is a teaser or sidebar, not the article.
    if len(best.text_content()) < 0.3 * len(body.text_content()):
        return body
    return best


def _leaf_tables(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Tables holding no other table: report tables nested in layout tables are found, layouts skipped."""
    return [t for t in root.iter("table") if t.find(".//table") is None]


def _grid(table: lxml.html.HtmlElement, index: int) -> TableGrid:
    spans: list[list[tuple[str, int, int]]] = []
    for tr in table.iter("tr"):
        row = []
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            row.append((_cell_text(cell), _span(cell.get("rowspan")), _span(cell.get("colspan"))))
        spans.append(row)
    return TableGrid.from_spans(spans, source=f"table {index}")


def _span(value: str | None) -> int:
    digits = re.sub(r"\D", "", value or "")
    return max(1, min(int(digits), 200)) if digits else 1


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    parts: list[str] = []
    _collect(cell, parts, top=True)
    return "\n".join(line.strip() for line in "".join(parts).splitlines() if line.strip())


def _collect(
    el: etree._Element,
    parts: list[str],
    *,
    top: bool = False,
    grids: dict[lxml.html.HtmlElement, TableGrid] | None = None,
) -> None:
    """Text in reading order; block elements and <br> become line breaks, inline runs join.

    With ``grids``, those tables are written as their rendered rows instead of their cell text.
    """
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if grids is not None and el in grids:
        parts.append("\n" + grids[el].render() + "\n")
    elif tag and tag not in _SKIP_TAGS:
        block = tag in _BLOCK_TAGS or (grids is not None and tag in ("td", "th"))
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect(child, parts, grids=grids)
        if block:
            parts.append("\n")
    if el.tail and not top:
        parts.append(el.tail)
