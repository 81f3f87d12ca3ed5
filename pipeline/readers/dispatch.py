"""The reader of each format, imported on demand (heavy libraries load only when needed).

Apart from the package's `Document` model so that the readers, which import that model, are not
imported by the module they import.
"""

from __future__ import annotations

from pipeline.readers import Reader


def reader_for(fmt: str) -> Reader | None:
    """The reader of a format, imported on demand (heavy libraries load only when needed)."""
    if fmt == "html":
        from pipeline.readers.html import read_html

        return read_html
    if fmt == "json":
        from pipeline.readers.json_article import read_json_article

        return read_json_article
    if fmt == "text":
        from pipeline.readers.text import read_text

        return read_text
    if fmt == "docx":
        from pipeline.readers.docx import read_docx

        return read_docx
    if fmt == "xlsx":
        from pipeline.readers.xlsx import read_xlsx

        return read_xlsx
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        return read_pdf
    if fmt == "ofd":
        from pipeline.readers.ofd import read_ofd

        return read_ofd
    if fmt == "ole2":
        from pipeline.readers.office import read_ole2

        return read_ole2
    if fmt == "image":
        from pipeline.readers.ocr import read_image

        return read_image
    return None
