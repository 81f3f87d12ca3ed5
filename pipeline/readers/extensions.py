"""The file extension an archived original is stored with, from the format detected in its bytes
(pipeline.archive names stored bodies `<sha256><extension>`)."""

from __future__ import annotations

from pipeline.readers import IMAGE_EXTENSIONS, UnreadableDocument, detect_format
from pipeline.readers.office import ole_kind

_EXTENSIONS = {
    "html": ".html",
    "json": ".json",
    "text": ".txt",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "pdf": ".pdf",
    "ofd": ".ofd",
    "zip": ".zip",
}
_OLE_EXTENSIONS = {"word": ".doc", "sheet": ".xls"}


def file_extension(data: bytes) -> str:
    """The file extension matching the detected format of `data` ("" when none does: empty,
    binary, or an OLE2 container of neither Word nor a spreadsheet)."""
    fmt = detect_format(data)
    if fmt == "image":
        return next(ext for magic, ext in IMAGE_EXTENSIONS.items() if data.startswith(magic))
    if fmt == "ole2":
        try:
            return _OLE_EXTENSIONS.get(ole_kind(data) or "", "")
        except UnreadableDocument:
            return ""
    return _EXTENSIONS.get(fmt, "")
