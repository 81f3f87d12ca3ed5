"""HTML pages: CMS detail pages, Word-pasted tables, any encoding real sites serve."""

from __future__ import annotations

import re

from lxml import etree

from pipeline.grid import TableGrid, clamp_span
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
_LINE_TAGS = _BLOCK_TAGS | {"td", "th"}
_SKIP_TAGS = ("script", "style", "noscript", "select", "button", "template")
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
_SPAN_DIGITS = re.compile(r"0*(\d+)")
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # where str.splitlines splits
_CLASSES_AND_IDS = etree.XPath("descendant::*/@class | descendant::*/@id", smart_strings=False)
_CLASS_AND_ID_NODES = etree.XPath("descendant::*/@class | descendant::*/@id")

# libxml2 stops nesting at depth 256 (2048 with huge_tree) and silently drops the rest of the page:
# Word-pasted pages leave hundreds or thousands of unclosed <font> tags before the report. Purely
# presentational inline tags carry no structure, so a page that hits the limit is parsed again
# without them (their text stays). Only then: the removal is a regex pass over the whole page,
# a tenth of a Word page's reading time, and libxml2 says when the limit was hit.
_PRESENTATIONAL_TAGS = re.compile(r"</?(?:font|b|i|u|s|strike|strong|em|big|small|o:p)(?:\s[^<>]*)?/?>", re.I)
# A regex, not str.translate: translate with a deletion table walks a page at ~7 ms per 100 kB.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes(range(32)).translate(None, b"\t\n\r")
# Encodings in which a control character can only come from a control byte (multi-byte sequences
# use bytes >= 0x40): for these the page's bytes say whether the text needs cleaning at all.
_ASCII_COMPATIBLE = frozenset(
    ["utf-8", "utf-8-sig", "utf_8", "gb18030", "gbk", "gb2312", "big5", "cp1252", "ascii"]
)
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
# The error libxml2 logs when a page nests deeper than it allows ("Excessive depth in document").
_TOO_DEEP = [etree.ErrorTypes.ERR_RESOURCE_LIMIT]


def read_html(data: bytes) -> Document:
    text, encoding = decode_text(data)
    # Stray control characters (a NUL from a CMS template bug) are not text, and lxml refuses
    # strings that hold one. Whether the bytes hold one: a memchr per control byte, four times
    # faster than counting what a deleting bytes.translate leaves.
    if encoding not in _ASCII_COMPATIBLE or any(byte in data for byte in _CONTROL_BYTES):
        text = _CONTROLS.sub("", text)
    if not text.strip():
        raise UnreadableDocument("empty HTML document")
    root = _parse(text)
    if _PARSER.error_log.filter_types(_TOO_DEEP):  # the rest of the page was dropped
        root = _parse(_PRESENTATIONAL_TAGS.sub("", text))
    metadata = _meta_tags(root)
    etree.strip_elements(root, *_SKIP_TAGS, with_tail=False)
    body = _content_root(root)
    tables = []
    for i, table in enumerate(_leaf_tables(body), 1):
        grid = _grid(table, i)
        tables.append(grid)
        # In the page text a table reads as its rendered rows, not as a run of cell texts.
        placeholder = etree.Element("pre")
        placeholder.text = "\n" + grid.render() + "\n"
        placeholder.tail = table.tail
        parent = table.getparent()
        assert parent is not None, "a table found under the content root has a parent"
        parent.replace(table, placeholder)
    lines = (" ".join(line.split()) for line in _text(body).splitlines())
    document_text = "\n".join(line for line in lines if line)
    return Document(format="html", text=document_text, tables=tables, metadata=metadata)


def _parse(text: str) -> etree._Element:
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.LxmlError, ValueError) as exc:  # LxmlError: libxml2 out of memory, among others
        raise UnreadableDocument(f"HTML could not be parsed: {exc}") from exc
    if root is None:
        raise UnreadableDocument("HTML has no elements")
    return root


def _meta_tags(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = _META_KEYS.get((meta.get("name") or "").strip().lower())
        content = (meta.get("content") or "").strip()
        if key and content:
            out.setdefault(key, content)
    title = root.find(".//title")
    if title is not None:
        text = " ".join("".join(title.itertext()).split())
        if text:
            out["page_title"] = text
    return out


def _text(el: etree._Element) -> str:
    """All text under `el` (not its tail): `"".join(el.itertext())`, built in C at twice the speed."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _content_root(root: etree._Element) -> etree._Element:
    """The element holding the report: the largest known content container, else the body.

    Marks the line breaks on the way: a block element or <br> ends a line, so the break is written
    into the text once and every later read is a plain text read, while inline runs (a Word page
    has one element per character run) still join."""
    body = root.find("body")
    body = body if body is not None else root
    # Only the block elements, picked by libxml2; a text or tail that already starts a line (most
    # of them on a Word page) is left as it is: writing one costs far more than reading it.
    for el in body.iterdescendants(*_LINE_TAGS):
        tail = el.tail
        if tail is None or tail[:1] != "\n":
            el.tail = "\n" + (tail or "")
        if el.tag != "br":
            text = el.text
            if text is None or text[:1] != "\n":
                el.text = "\n" + (text or "")
    candidates = _containers(body)
    if not candidates:
        return body
    lengths = {el: len(_text(el)) for el in candidates}
    best = max(lengths, key=lengths.__getitem__)
    # A container with a small share of the page is a teaser or sidebar, not the article.
    if lengths[best] < 0.3 * len(_text(body)):
        return body
    return best


def _containers(body: etree._Element) -> list[etree._Element]:
    """The known content containers under `body`, in document order.

    A page repeats a few class names on many elements (MsoNormal on every paragraph of a Word
    export): the hint is searched once per distinct name, and the walk over the elements runs
    only when some name has it."""
    named = {name for name in set(_CLASSES_AND_IDS(body)) if _CONTENT_HINT.search(name)}
    if next(body.iterdescendants("ucapcontent"), None) is not None:
        return [
            el
            for el in body.iterdescendants()
            if el.tag == "ucapcontent" or el.get("class") in named or el.get("id") in named
        ]
    if not named:
        return []
    # Attribute values that know their element: only the named ones are asked for it.
    return list(dict.fromkeys(value.getparent() for value in _CLASS_AND_ID_NODES(body) if value in named))


def _leaf_tables(root: etree._Element) -> list[etree._Element]:
    """Tables holding no other table: report tables nested in layout tables are found, layouts skipped."""
    return [t for t in root.iter("table") if t.find(".//table") is None]


def _grid(table: etree._Element, index: int) -> TableGrid:
    spans = [
        [
            (_cell_text(cell), _span(cell.get("rowspan")), _span(cell.get("colspan")))
            for cell in tr.iterchildren("td", "th")
        ]
        for tr in table.iter("tr")
    ]
    return TableGrid.from_spans(spans, source=f"table {index}")


def _span(value: str | None) -> int:
    """A span attribute as written ("2", " 3px", "''2''"): its first run of digits, else 1."""
    if value is None:  # most cells
        return 1
    match = _SPAN_DIGITS.search(value)
    # Enough digits to pass any budget, never enough to make int() refuse (or take long).
    return clamp_span(int(match.group(1)[:9])) if match else 1


def _cell_text(cell: etree._Element) -> str:
    """The cell's lines, each stripped, blank ones dropped."""
    text = _text(cell).strip()
    if not _LINE_BREAK.search(text):  # most cells: one line (a number, a label)
        return text
    return "\n".join(filter(None, map(str.strip, text.splitlines())))
