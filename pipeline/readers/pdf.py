"""PDF: text, ruled tables and reading order from the text layer; scanned pages and images go to OCR.

PDFium (pypdfium2) gives every character with its box and every path object: one pass over a
page costs a few milliseconds, an order of magnitude less than pdfminer-based extraction. The
characters and the ruling lines go to the page geometry shared with OFD and OCR
(`pipeline.readers.geometry`), which rebuilds the tables from them.

Character boxes are PDFium's loose boxes (advance width × font height): tight glyph boxes leave
gaps inside numbers ("1" is narrow) and put punctuation off its line. PDFium computes a loose box
from the font size alone, without the text matrix: WPS sets vertical labels (Identity-V fonts)
at a huge font size scaled down by the text matrix (`/F2 180 Tf 0.058 0 0 0.058 x y Tm`), and
their loose boxes come out 180 points wide, centred columns away from the character. Such a box
is scaled back about the character's origin by the matrix's scale.

Budgets (`pipeline.limits`): pages read, pixels rendered for OCR, OCR pages and seconds.
"""

from __future__ import annotations

import ctypes
import math
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline import limits
from pipeline.readers import Document, UnreadableDocument
from pipeline.readers.geometry import (
    Block,
    Box,
    Ink,
    Ruling,
    add_segment,
    document_from_blocks,
    has_text,
    inside_any,
    join_page_breaks,
    page_blocks,
    ruled_tables,
    scanned_page,
    without_folios,
)

if TYPE_CHECKING:
    from pipeline.readers.ocr import OcrRun

# Segments thinner than this (points) are lines, whatever the path that draws them.
_THIN = 3.0
# Distance within which segment ends and cell borders count as the same line (points).
_PDF_TOLERANCE = 2.0
# An embedded picture is OCR'd as a possible table image when it is at least this large (points).
_MIN_IMAGE_SIDE = 60.0
_MIN_IMAGE_AREA = 20000.0
# A loose box taller than this (points) is checked against the text matrix (see the docstring).
_BIG_BOX = 30.0


def read_pdf(data: bytes) -> Document:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"PDF could not be read: {exc}") from exc
    try:
        return _read(pdf)
    except pdfium.PdfiumError as exc:  # a broken page tree (one that contains itself) …
        raise UnreadableDocument(f"PDF could not be read: {exc}") from exc
    finally:
        pdf.close()


def _read(pdf: pdfium.PdfDocument) -> Document:
    count = len(pdf)
    if count > limits.PDF_MAX_PAGES:
        raise limits.BudgetExceeded("PDF pages", count, limits.PDF_MAX_PAGES)
    ocr = None
    blocks: list[Block] = []
    page_starts: set[int] = set()
    ocr_pages: list[str] = []
    for number in range(count):
        page = pdf[number]
        try:
            page_starts.add(len(blocks))
            page_blocks_, ocr = _page(page, ocr)
            blocks.extend(page_blocks_)
            if any(b.ocr for b in page_blocks_):
                ocr_pages.append(str(number + 1))
        finally:
            page.close()
    metadata = _metadata(pdf)
    blocks = join_page_breaks(blocks, page_starts, _PDF_TOLERANCE)
    if ocr_pages:
        metadata["ocr_pages"] = ",".join(ocr_pages)
    return document_from_blocks("pdf", blocks, metadata)


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    info = pdf.get_metadata_dict()
    out = {}
    if (info.get("Title") or "").strip():
        out["doc_title"] = info["Title"].strip()
    created = (info.get("CreationDate") or "").removeprefix("D:")
    if len(created) >= 8 and created[:8].isdigit():
        out["doc_created"] = f"{created[:4]}-{created[4:6]}-{created[6:8]}"
    return out


def _page(page: pdfium.PdfPage, ocr: OcrRun | None) -> tuple[list[Block], OcrRun | None]:
    """The blocks of one page (a scan, or pictures in the page, go to OCR) and the document's OCR
    run (created by the first page that needs it: it carries the OCR budgets)."""
    width, height = page.get_size()
    inks = _page_inks(page, height)
    images = _images(page, height)
    if scanned_page(inks, images, width, height):
        ocr = ocr or _ocr_run()
        blocks = _ocr_region(page, (0.0, 0.0, width, height), height, ocr)
    else:
        blocks = page_blocks(inks, ruled_tables(_ruling(page, height), _PDF_TOLERANCE))
        tables = [b for b in blocks if b.grid is not None]
        for box in images:
            if inside_any(box, tables) or has_text(box, inks):
                continue  # a logo, a seal over the signature, or a background behind text
            ocr = ocr or _ocr_run()
            blocks.extend(_ocr_region(page, box, height, ocr))
    return without_folios(blocks, height), ocr


def _page_inks(page: pdfium.PdfPage, height: float) -> list[Ink]:
    textpage = page.get_textpage()
    try:
        inks = []
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            ch = chr(code) if code else ""
            if not ch or ch.isspace() or pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            if right <= left or top <= bottom:
                continue
            if top - bottom > _BIG_BOX:
                left, bottom, right, top = _matrix_box(textpage, i, (left, bottom, right, top))
            inks.append(Ink(ch, left, height - top, right, height - bottom))
        return inks
    finally:
        textpage.close()


def _matrix_box(textpage: pdfium.PdfTextPage, index: int, box: Box) -> Box:
    """A loose box PDFium sized by the font size alone, scaled about the character's origin by
    the text matrix (left as it is when it already matches the scaled font size)."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix)):
        return box
    scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
    size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
    left, bottom, right, top = box
    if scale > 0.9 or top - bottom < 0.5 * size:
        return box  # no down-scaling, or a box already scaled
    x, y = ctypes.c_double(), ctypes.c_double()
    if not pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y)):
        return box
    ox, oy = x.value, y.value
    return (
        ox + (left - ox) * scale,
        oy + (bottom - oy) * scale,
        ox + (right - ox) * scale,
        oy + (top - oy) * scale,
    )


def _ruling(page: pdfium.PdfPage, height: float) -> Ruling:
    ruling = Ruling()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        left, bottom, right, top = obj.get_bounds()
        if right - left < _THIN or top - bottom < _THIN:
            add_segment(ruling, left, height - top, right, height - bottom, _THIN)
        elif _stroked(obj):
            for (x0, y0), (x1, y1) in _path_edges(obj):
                add_segment(
                    ruling, min(x0, x1), height - max(y0, y1), max(x0, x1), height - min(y0, y1), _THIN
                )
    return ruling


def _stroked(obj: pdfium.PdfObject) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    ok = pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke))
    return bool(ok and stroke.value)


def _path_edges(obj: pdfium.PdfObject) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight, axis-parallel edges of a stroked path (cell frames drawn as rectangles)."""
    count = pdfium_c.FPDFPath_CountSegments(obj.raw)
    if count > 64:
        return []  # a drawing, not a frame
    matrix = obj.get_matrix()
    points: list[tuple[float, float]] = []
    edges = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = matrix.on_point(x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and points:
            edges.append((points[-1], point))
        if kind != pdfium_c.FPDF_SEGMENT_MOVETO and pdfium_c.FPDFPathSegment_GetClose(segment) and points:
            edges.append((point, points[0]))
        points = [point] if kind == pdfium_c.FPDF_SEGMENT_MOVETO else [*points, point]
    return [(a, b) for a, b in edges if abs(a[0] - b[0]) < 0.5 or abs(a[1] - b[1]) < 0.5]


def _images(page: pdfium.PdfPage, height: float) -> list[Box]:
    """Boxes (x0, top, x1, bottom) of the pictures on a page large enough to hold a table."""
    boxes = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if min(w, h) >= _MIN_IMAGE_SIDE and w * h >= _MIN_IMAGE_AREA:
            boxes.append((left, height - top, right, height - bottom))
    return boxes


def _ocr_run() -> OcrRun:
    from pipeline.readers.ocr import OcrRun  # only when a page needs it: it needs the ocr extra

    return OcrRun()


def _ocr_region(page: pdfium.PdfPage, box: Box, height: float, ocr: OcrRun) -> list[Block]:
    """OCR a region of a page (a whole scanned page, or a picture in it), placed in page points."""
    width = page.get_size()[0]
    x0, top, x1, bottom = box
    scale = ocr.render_scale(x1 - x0, bottom - top)
    bitmap = page.render(scale=scale, crop=(x0, height - bottom, width - x1, top))
    blocks = ocr.image_blocks(bitmap.to_pil().convert("RGB"))
    for block in blocks:
        block.top = top + block.top / scale
        block.bottom = top + block.bottom / scale
        block.xs = tuple(x0 + x / scale for x in block.xs)
    return blocks
