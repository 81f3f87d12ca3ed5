"""Images of tables (scans, photos, pictures in pages): OCR boxes + ruling lines -> aligned grids.

OCR is rapidocr (PP-OCR models shipped inside the wheel, run by onnxruntime, fully offline). The
recogniser returns every character with its box and score. Table borders are found in the image
with OpenCV once the text it read is erased (so strokes are not taken for borders) and handed to
the page geometry PDF and OFD use (`pipeline.readers.geometry`); borders a scan lost are
restored where the text falls apart at them, and cells with ink but no text are read again.
A cell's confidence is the lowest score of its characters: nothing is corrected, a doubtful read
stays what it is and is flagged downstream (`pipeline.ocr_evidence`).

OCR once: what the recogniser reads from an image is cached by the image's content hash and the
OCR model version (`pipeline.readers.ocr_cache`), so `nianbao reparse` after a parser change
re-runs only the geometry. Budgets (`pipeline.limits`): decoded image pixels, pixels rendered
for OCR, OCR pages and seconds per document (`OcrRun`). Telemetry off: onnxruntime otherwise
writes a device id and a database under ~/.cache/Microsoft and sends events
(`ORT_DISABLE_TELEMETRY`, set before onnxruntime loads, and `disable_telemetry_events`).
"""

from __future__ import annotations

import base64
import io
import math
import os
import re
import statistics
import time
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin

import numpy as np

from pipeline import limits
from pipeline.readers import Document, UnreadableDocument, ocr_cache
from pipeline.readers.geometry import (
    Block,
    Box,
    Ink,
    Lattice,
    Ruling,
    document_from_blocks,
    page_blocks,
    ruled_tables,
)

if TYPE_CHECKING:
    from PIL import Image

# Read by onnxruntime when it loads: no device id under ~/.cache, no telemetry events.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

# Render scale for OCR (2 = 144 dpi: body text about 30 px high, what the recogniser is trained on).
OCR_SCALE = 2.0
# Below this render scale (72 dpi) body text is too small to read: the page is refused.
_MIN_OCR_SCALE = 1.0
# Height of a glyph relative to the recogniser's character boxes.
_GLYPH_SHARE = 0.65
# Images smaller than this (pixels) are icons, bullets or spacers, not tables.
_MIN_IMAGE_SIDE = 80
# Small pictures are enlarged before OCR: the recogniser reads text 25-40 px high best.
_TARGET_SIDE = 1600
_MAX_UPSCALE = 3.0


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------


_PARAMS: dict[str, Any] = {
    "Global.log_level": "warning",
    # Keep every read, however doubtful: the score is reported, not used to drop text.
    "Global.text_score": 0.0,
    # Report pages are upright: the 180° classifier only costs time.
    "Global.use_cls": False,
    # Detection on at most 1280 px (text stays > 20 px high on a 144 dpi page): half the time.
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
    # The recogniser pads every crop to at least this width; the default 320 makes a lone
    # digit of a table cell cost as much as a line of prose (a table page reads in half the
    # time at 96). Narrower still (48) lowers the scores of correct digits to ~0.5.
    "Rec.rec_img_shape": [3, 48, 96],
}


@cache
def _engine() -> Any:
    try:
        import onnxruntime
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise UnreadableDocument("OCR is not installed: pip install 'nianbao[ocr]'") from exc

    onnxruntime.disable_telemetry_events()
    return RapidOCR(params=_PARAMS)


@cache
def model_version() -> str:
    """What decides the recogniser's output: rapidocr (its models ship in the wheel), onnxruntime
    and the parameters; part of every OCR cache key."""
    from importlib.metadata import version

    return f"rapidocr {version('rapidocr')}; onnxruntime {version('onnxruntime')}; {sorted(_PARAMS.items())}"


Reads = tuple[list[Ink], list[Box]]


def _ink_rows(inks: list[Ink]) -> list[list[object]]:
    return [[i.text, i.x0, i.top, i.x1, i.bottom, i.confidence] for i in inks]


def _encode_reads(reads: Reads) -> object:
    return {"inks": _ink_rows(reads[0]), "lines": [list(b) for b in reads[1]]}


def _decode_reads(stored: object) -> Reads:
    assert isinstance(stored, dict)
    inks = [
        Ink(str(t), float(a), float(b), float(c), float(d), float(e)) for t, a, b, c, d, e in stored["inks"]
    ]
    lines = [(float(a), float(b), float(c), float(d)) for a, b, c, d in stored["lines"]]
    return inks, lines


def _reads(image: np.ndarray) -> Reads:
    """`_read_chars` of an image, read once per image and model version (`ocr_cache`)."""
    entry = ocr_cache.key(model_version(), "page", image)
    return ocr_cache.cached(entry, lambda: _read_chars(image), _encode_reads, _decode_reads)


def _read_chars(image: np.ndarray) -> Reads:
    """Every character the recogniser reads, with its box and score, and the boxes of the text
    lines it found (pixels, top-down)."""
    # Every step named: the engine keeps the flags of its previous call (see `_recognise`).
    result = _engine()(image, use_det=True, use_cls=False, use_rec=True, return_word_box=True)
    if result.txts is None:
        return [], []
    inks: list[Ink] = []
    lines: list[Box] = []
    words = result.word_results or [()] * len(result.txts)
    for box, text, score, chars in zip(result.boxes, result.txts, result.scores, words, strict=False):
        corners = np.asarray(box, dtype=float)
        lines.append((*corners.min(axis=0), *corners.max(axis=0)))
        if not chars:  # no per-character boxes: the whole line is one piece
            chars = ((text, score, box),)
        for char_text, char_score, char_box in chars:
            points = np.asarray(char_box, dtype=float)
            x0, top = points.min(axis=0)
            x1, bottom = points.max(axis=0)
            if char_text.strip():
                inks.append(Ink(char_text, x0, top, x1, bottom, float(char_score)))
    return inks, lines


# ---------------------------------------------------------------------------------------------
# Lines of the table
# ---------------------------------------------------------------------------------------------


def _deskew(image: np.ndarray) -> np.ndarray:
    """Straighten a scan by the dominant near-horizontal angle (table borders and text lines).

    Measured by a Hough transform restricted to ±5° on a reduced copy, so it costs milliseconds.
    """
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    factor = min(1.0, 1000 / max(gray.shape))
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    lines = cv2.HoughLines(
        ink,
        1,
        np.pi / 3600,
        threshold=int(0.3 * small.shape[1]),
        min_theta=np.pi / 2 - np.radians(5),
        max_theta=np.pi / 2 + np.radians(5),
    )
    if lines is None:
        return image
    angle = float(np.degrees(np.median(lines.reshape(-1, 2)[:20, 1])) - 90)
    if abs(angle) < 0.1:
        return image
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))


def _ink(image: np.ndarray) -> np.ndarray:
    """Dark pixels (255) against their neighbourhood: strokes and borders, not paper or speckle."""
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)


def _ruling(ink: np.ndarray, lines: list[Box], unit: float) -> Ruling:
    """Border segments of the image: long thin runs of ink once the text is erased."""
    import cv2

    ink = _erase_text(ink, lines, unit)
    # Longer than a lone digit the recogniser missed, shorter than the border of a one-line row.
    length = max(10, int(0.9 * unit))
    ruling = Ruling()
    for horizontal in (True, False):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        # Bridge small breaks (erased text touching a border, scan dropouts).
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1) if horizontal else (1, 5)))
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            if horizontal and w >= 2 * length and w > 3 * h:
                ruling.horizontal.append((y + h / 2, float(x), float(x + w)))
            elif not horizontal and h >= length and h > 3 * w:
                ruling.vertical.append((x + w / 2, float(y), float(y + h)))
    # Strokes of glyphs that touch a border belong to the border's ink and escape the erasure;
    # what runs inside a line of text is such a stroke.
    ruling.horizontal = [h for h in ruling.horizontal if not _in_text(h, lines, unit, vertical=False)]
    ruling.vertical = [
        v
        for v in ruling.vertical
        if not _in_text(v, lines, unit, vertical=True) and _anchored(v, ruling.horizontal, unit)
    ]
    return ruling


def _in_text(segment: tuple[float, float, float], lines: list[Box], unit: float, *, vertical: bool) -> bool:
    """True when the segment lies within a text line's box, away from the box's ends."""
    at, start, end = segment
    margin = 0.3 * unit
    for x0, top, x1, bottom in lines:
        across_lo, across_hi, along_lo, along_hi = (
            (x0, x1, top, bottom) if vertical else (top, bottom, x0, x1)
        )
        if across_lo + margin < at < across_hi - margin:
            overlap = min(end, along_hi) - max(start, along_lo)
            if overlap >= 0.5 * (end - start):
                return True
    return False


def _erase_text(ink: np.ndarray, lines: list[Box], unit: float) -> np.ndarray:
    """The ink without the strokes of the text read: every connected stroke lying inside a text
    line's box (with a margin: blur and speckle make a scanned glyph larger than its box). A
    border is one long stroke reaching beyond any box, so it stays whole where text touches it."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y = stats[:, 0], stats[:, 1]
    x1, y1 = x + stats[:, 2], y + stats[:, 3]
    glyph = np.zeros(count, dtype=bool)
    m = 0.35 * unit
    for bx0, btop, bx1, bbottom in lines:
        glyph |= (x >= bx0 - m) & (y >= btop - m) & (x1 <= bx1 + m) & (y1 <= bbottom + m)
    glyph[0] = False  # the background
    return np.where(glyph[labels], 0, ink).astype(np.uint8)


def _anchored(
    vertical: tuple[float, float, float], horizontals: list[tuple[float, float, float]], unit: float
) -> bool:
    """A border runs from one rule to another; a stroke the recogniser missed (a lone "1") floats
    inside its cell. Long segments are kept even with a loose end (a border broken by a dropout)."""
    x, y0, y1 = vertical
    tol = 0.3 * unit

    def meets(y: float) -> bool:
        return any(abs(hy - y) <= tol and hx0 - tol <= x <= hx1 + tol for hy, hx0, hx1 in horizontals)

    ends = meets(y0) + meets(y1)
    length = y1 - y0
    return ends == 2 or (ends == 1 and length >= 1.5 * unit) or length >= 3 * unit


def _restore_missed_borders(table: Lattice, lines: list[Box], unit: float) -> None:
    """Split cells the lattice merged where a faint border was lost in the scan.

    A merged cell whose text lines fall apart at a column border, none running across it, held
    several cells ("信息内容  上一年项目数量  本年增/减" on one row); numbers apart at a row border held
    several values ("0" over "3" must not read as 3). A real span holds text that runs across
    its inner borders (a centred title, a label over three columns).
    """
    regions: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for unit_cell, origin in table.origin.items():
        regions.setdefault(origin, []).append(unit_cell)
    margin = 0.15 * unit
    for units in regions.values():
        rows, cols = sorted({r for r, _ in units}), sorted({c for _, c in units})
        if len(units) == 1:
            continue
        x0, x1, y0, y1 = table.xs[cols[0]], table.xs[cols[-1] + 1], table.ys[rows[0]], table.ys[rows[-1] + 1]
        inside = [b for b in lines if x0 <= (b[0] + b[2]) / 2 < x1 and y0 <= (b[1] + b[3]) / 2 < y1]
        col_cuts = [c for c in cols[1:] if _apart(inside, table.xs[c], margin, horizontal=True)]
        row_cuts = [r for r in rows[1:] if _apart(inside, table.ys[r], margin, horizontal=False)]
        for r, c in units:
            top = max([rows[0], *[cut for cut in row_cuts if cut <= r]])
            left = max([cols[0], *[cut for cut in col_cuts if cut <= c]])
            table.origin[(r, c)] = (top, left)


def _apart(lines: list[Box], border: float, margin: float, *, horizontal: bool) -> bool:
    """True when text lines lie on both sides of the border and none runs across it."""
    lo, hi = (0, 2) if horizontal else (1, 3)
    before = any(b[hi] <= border + margin for b in lines)
    after = any(b[lo] >= border - margin for b in lines)
    across = any(b[lo] < border - margin and b[hi] > border + margin for b in lines)
    return before and after and not across


def _unread_cells(
    pixels: np.ndarray, ink: np.ndarray, tables: list[Lattice], inks: list[Ink], unit: float
) -> list[Ink]:
    """Read again the cells that hold ink but no text: detection misses lone thin digits ("1").

    Each such cell's strokes are recognised on their own; ink that still reads as nothing is
    kept as an empty read with score 0, so the cell is flagged rather than taken for blank.
    """
    import cv2

    found: list[Ink] = []
    for table in tables:
        filled = {table.locate(i.cx, i.cy) for i in inks}
        for origin in set(table.origin.values()) - filled:
            units = [u for u, o in table.origin.items() if o == origin]
            x0, x1 = table.xs[min(c for _, c in units)], table.xs[max(c for _, c in units) + 1]
            y0, y1 = table.ys[min(r for r, _ in units)], table.ys[max(r for r, _ in units) + 1]
            margin_x, margin_y = max(3, 0.12 * (x1 - x0)), max(3, 0.12 * (y1 - y0))
            left, top = int(x0 + margin_x), int(y0 + margin_y)
            region = ink[top : int(y1 - margin_y), left : int(x1 - margin_x)]
            if region.size == 0:
                continue
            count, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
            # Glyph-sized, not speckle (data rows can be lower than the recogniser's boxes).
            strokes = [s for s in stats[1:count] if s[3] >= 0.35 * min(unit, y1 - y0)]
            if not strokes:
                continue
            sx0 = left + min(s[0] for s in strokes)
            sy0 = top + min(s[1] for s in strokes)
            sx1 = left + max(s[0] + s[2] for s in strokes)
            sy1 = top + max(s[1] + s[3] for s in strokes)
            found.append(_recognise(pixels, (sx0, sy0, sx1, sy1), unit))
    return found


def _decode_read(stored: object) -> tuple[str, float]:
    assert isinstance(stored, list)
    return str(stored[0]), float(stored[1])


def _recognise(pixels: np.ndarray, box: tuple[int, int, int, int], unit: float) -> Ink:
    pad = int(0.3 * unit)
    x0, y0, x1, y1 = box
    crop = np.ascontiguousarray(pixels[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad])

    def recognise() -> tuple[str, float]:
        result = _engine()(crop, use_det=False, use_cls=False, use_rec=True, return_word_box=False)
        texts, scores = result.txts or (), result.scores or ()
        text = "".join(texts).strip()
        return text, float(min(scores)) if text else 0.0

    entry = ocr_cache.key(model_version(), "crop", crop)
    text, score = ocr_cache.cached(entry, recognise, list, _decode_read)
    return Ink(text, float(x0), float(y0), float(x1), float(y1), score)


# ---------------------------------------------------------------------------------------------
# Images -> blocks -> documents
# ---------------------------------------------------------------------------------------------


def image_blocks(image: Image.Image) -> list[Block]:
    """Tables and paragraphs of one image, in the image's pixel coordinates."""
    from PIL import Image

    scale = min(_MAX_UPSCALE, max(1.0, _TARGET_SIDE / max(image.size)))
    if scale > 1.0:
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
    pixels = _deskew(np.asarray(image.convert("RGB")))
    inks, lines = _reads(pixels)
    # Glyph height: the recogniser's boxes are padded to about 1.5 times the text they hold.
    unit = _GLYPH_SHARE * statistics.median(i.height for i in inks) if inks else 15.0
    ink = _ink(pixels)
    tables = ruled_tables(_ruling(ink, lines, unit), 0.3 * unit)
    for table in tables:
        _restore_missed_borders(table, lines, unit)
    inks += _unread_cells(pixels, ink, tables, inks, unit)
    blocks = page_blocks(inks, tables)
    for block in blocks:
        block.ocr = True
        block.top, block.bottom = block.top / scale, block.bottom / scale
        block.xs = tuple(x / scale for x in block.xs)
    return blocks


class OcrRun:
    """The OCR of one document: its budgets of pages and seconds (`pipeline.limits`), charged by
    every page or picture it reads."""

    def __init__(self) -> None:
        self.pages = 0
        self.seconds = 0.0

    def image_blocks(self, image: Image.Image) -> list[Block]:
        self.pages += 1
        if self.pages > limits.OCR_MAX_PAGES:
            raise limits.BudgetExceeded("OCR pages", self.pages, limits.OCR_MAX_PAGES)
        if self.seconds > limits.OCR_MAX_SECONDS:
            raise limits.BudgetExceeded("OCR seconds", round(self.seconds), limits.OCR_MAX_SECONDS)
        start = time.monotonic()
        try:
            return image_blocks(image)
        finally:
            self.seconds += time.monotonic() - start

    @staticmethod
    def render_scale(width: float, height: float) -> float:
        """The scale to render a page region of this size (points) for OCR: `OCR_SCALE`, lowered
        to stay within the render budget; a region that would need less than 72 dpi is refused."""
        scale = min(OCR_SCALE, math.sqrt(limits.RENDER_MAX_PIXELS / max(width * height, 1.0)))
        if scale < _MIN_OCR_SCALE:
            needed = width * height * _MIN_OCR_SCALE**2
            raise limits.BudgetExceeded("render pixels", round(needed), limits.RENDER_MAX_PIXELS)
        return scale


def decode_image(data: bytes) -> list[Image.Image]:
    """The frames of an image file as RGB images, each within the decoded-pixel budget (checked
    from the header, before any pixel is decoded)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = []
        for frame in ImageSequence.Iterator(image):
            pixels = frame.size[0] * frame.size[1]
            if pixels > limits.IMAGE_MAX_PIXELS:
                raise limits.BudgetExceeded("image pixels", pixels, limits.IMAGE_MAX_PIXELS)
            frames.append(frame.convert("RGB"))
        return frames
    except limits.BudgetExceeded:
        raise
    except Image.DecompressionBombError as exc:  # PIL's own guard, raised on opening
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        needed = int(declared[1]) if declared else limits.IMAGE_MAX_PIXELS + 1
        raise limits.BudgetExceeded("image pixels", needed, limits.IMAGE_MAX_PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocument(f"image could not be read: {exc}") from exc


def read_image(data: bytes, ocr: OcrRun | None = None) -> Document:
    """An image attachment (a scanned page, a photographed table, a multi-page TIFF). `ocr` is the
    OCR run of the document the image belongs to: the pictures of an HTML page share its budgets."""
    ocr = ocr or OcrRun()
    frames = decode_image(data)
    blocks: list[Block] = []
    offset = 0.0
    for frame in frames:
        if min(frame.size) < _MIN_IMAGE_SIDE:
            continue
        for block in ocr.image_blocks(frame):
            block.top += offset
            block.bottom += offset
            blocks.append(block)
        offset += frame.height
    return document_from_blocks("image", blocks, {"ocr_pages": "all"})


# ---------------------------------------------------------------------------------------------
# Pictures inside HTML pages
# ---------------------------------------------------------------------------------------------

_IMG_SRC = re.compile(rb"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)


def body_image_sources(html: bytes) -> list[str]:
    """`src` of every <img> in a page, in document order."""
    return [m.group(1).decode("utf-8", "replace") for m in _IMG_SRC.finditer(html)]


def _lookup(src: str, base_url: str | None, images: Mapping[str, bytes]) -> bytes | None:
    if src.startswith("data:image/"):
        header, _, payload = src.partition(",")
        return base64.b64decode(payload) if header.endswith(";base64") else None
    absolute = urljoin(base_url or "", src)
    for candidate in (src, absolute, unquote(src), unquote(absolute)):
        if candidate in images:
            return images[candidate]
    return None


def add_page_images(
    document: Document, html: bytes, base_url: str | None, images: Mapping[str, bytes] | None
) -> list[str]:
    """OCR the pictures of an HTML page into its document; returns warnings.

    The crawler stores a page's images as attachments: `images` maps each `src` (as written in the
    page, or resolved against the page URL) to the stored bytes. Tables found in the pictures are
    appended to the page's tables, their text to the page's text.
    """
    sources = body_image_sources(html)
    if not sources:
        return []
    if images is None:
        if document.tables:
            return []
        return [
            f"images_not_read: the page has {len(sources)} images and no tables; pass images= to OCR them"
        ]
    warnings: list[str] = []
    read = 0
    ocr = OcrRun()
    for src in sources:
        data = _lookup(src, base_url, images)
        if data is None:
            if not src.startswith("data:"):
                warnings.append(f"image_missing: {src} was not among the images given")
            continue
        try:
            image_doc = read_image(data, ocr)
        except (UnreadableDocument, limits.BudgetExceeded) as exc:
            warnings.append(f"image_unreadable: {src}: {exc}")
            if isinstance(exc, limits.BudgetExceeded) and exc.budget.startswith("OCR"):
                break  # the page's OCR budget is spent: the pictures after this one are not read
            continue
        if not image_doc.text.strip():
            continue
        read += 1
        for grid in image_doc.tables:
            grid.source = f"image {src} {grid.source}"
            document.tables.append(grid)
        document.text = f"{document.text}\n{image_doc.text}".strip()
    if read:
        document.metadata["ocr_images"] = str(read)
    return warnings
