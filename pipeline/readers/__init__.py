"""Readers turn stored bytes of one format into a `Document`: text, table grids and metadata.

Formats are detected from the content (magic bytes, markup), never from a file extension.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.grid import TableGrid


class UnreadableDocument(ValueError):
    """The bytes cannot be read as the detected format (truncated, corrupt, unsupported)."""


@dataclass
class Document:
    format: str
    text: str  # the whole document as UTF-8 text, tables rendered as rows
    tables: list[TableGrid] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # title, published, publisher, index_no …


Reader = Callable[[bytes], Document]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Every byte but the C0 controls that text never holds (tab, newlines, form feed and ESC are text).
_TEXT_BYTES = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r\f\x1b")
# Image formats by their magic bytes, with the extension an archived image is stored with.
IMAGE_EXTENSIONS = {
    b"\x89PNG": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF8": ".gif",
    b"II*\x00": ".tif",
    b"MM\x00*": ".tif",
}
_IMAGE_MAGIC = tuple(IMAGE_EXTENSIONS)


def detect_format(data: bytes) -> str:
    """The format of a document from its bytes: html, text, json, docx, xlsx, ofd, pdf, ole2, image,
    zip, binary or empty."""
    if not data.strip():
        return "empty"
    if data.startswith(b"%PDF") or data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    head = data[:4096].lower()
    # Binary formats are full of control bytes; a text page may carry a stray NUL (a CMS bug).
    if len(head.translate(None, _TEXT_BYTES)) > len(head) // 100:
        return "binary"
    if _json_object(data):  # before markup: an API's JSON carries the page's HTML inside
        return "json"
    if any(tag in head for tag in (b"<html", b"<!doctype", b"<table", b"<body", b"<div", b"<meta", b"<p")):
        return "html"
    return "text"


def _json_object(data: bytes) -> bool:
    """One JSON object: what CMS APIs answer (the first byte rules out every other format cheaply)."""
    if data.lstrip()[:1] != b"{":
        return False
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


def _zip_format(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"
