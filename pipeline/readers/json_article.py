"""JSON article envelopes: the answer of a CMS API that carries a report page's body as HTML.

Sites whose pages are shells filled by script (Epoint/新点 WebBuilder's `getGovInfoDetail`,
single-page sites' `/html/info/detail`) serve the report as JSON: the body as an HTML string under
a key such as `infocontent` or `body`, beside its title, date and publishing department. The
archive keeps that JSON as served; this reader takes the HTML out of it and reads it as a page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pipeline.readers import Document, UnreadableDocument
from pipeline.readers.html import read_html

# Keys under which the APIs put each field (seen in public crawlers of those sites; see the adapters).
_BODY_KEYS = ("infocontent", "infoContent", "content", "body", "html", "articleContent")
_FIELD_KEYS = {
    "title": ("title", "infotitle", "infoTitle", "name"),
    "published": ("infodate", "infoDate", "publishDate", "pubDate", "pubdate", "publishTime"),
    "publisher": ("deptname", "deptName", "dept", "publisher", "source"),
}


def read_json_article(data: bytes) -> Document:
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise UnreadableDocument(f"JSON could not be parsed: {exc}") from exc
    article = next((obj for obj in _objects(payload) if _body(obj)), None)
    if article is None:
        raise UnreadableDocument("JSON holds no article body (infocontent, content, body …)")
    document = read_html(f"<html><body><div class='content'>{_body(article)}</div></body></html>".encode())
    document.format = "json"
    for key, names in _FIELD_KEYS.items():
        value = next((str(article[n]).strip() for n in names if isinstance(article.get(n), str | int)), "")
        if value:
            document.metadata[key] = value
    return document


def _body(obj: dict[str, Any]) -> str:
    return next((v for k in _BODY_KEYS if isinstance(v := obj.get(k), str) and "<" in v), "")


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object, outermost first (`{"custom": {"data": {...}}}` nests the article)."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child)
