"""The archived original of a report, served with the content type of what its bytes are.

The type comes from the bytes (pipeline.readers.detect_format) and, for HTML and plain text, the
charset the parser decoded them with: a GBK page the site served as application/octet-stream is
served back as text/html; charset=gb18030. Archived pages are other sites' markup, so they are
served sandboxed (no scripts, no same-origin access to the browser view).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.archive import RawArchive
from pipeline.readers import detect_format
from pipeline.readers.encoding import decode_text

SHA256 = re.compile(r"[0-9a-f]{64}")
_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
_IMAGES = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))
_TIFF = (b"II*\x00", b"MM\x00*")
# Legacy Office (OLE2) files are told apart by the name the site gave them.
_OLE2_BY_EXTENSION = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "wps": "application/vnd.ms-works",
    "et": "application/vnd.ms-excel",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Original:
    body: bytes
    content_type: str


def content_type(data: bytes, filename: str = "") -> str:
    fmt = detect_format(data)
    if fmt in ("html", "text"):
        _, encoding = decode_text(data)
        mime = "text/html" if fmt == "html" else "text/plain"
        return f"{mime}; charset={encoding.removesuffix('-sig')}"
    if fmt in _TYPES:
        return _TYPES[fmt]
    if fmt == "image":
        for magic, mime in _IMAGES:
            if data.startswith(magic):
                return mime
        return "image/tiff" if data.startswith(_TIFF) else "application/octet-stream"
    if fmt == "ole2":
        return _OLE2_BY_EXTENSION.get(filename.rsplit(".", 1)[-1].lower(), "application/x-ole-storage")
    return "application/octet-stream"


def load_original(out: Path, sha256: str, filename: str = "") -> Original | None:
    """None for anything but the sha256 of a stored body (the path is built from the hash alone)."""
    if not SHA256.fullmatch(sha256):
        return None
    try:
        data = RawArchive(out).get(sha256)
    except OSError:
        return None
    return Original(data, content_type(data, filename))
