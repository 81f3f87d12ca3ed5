"""OFD (GB/T 33190-2016, 版式文档): pages of positioned text and paths, read into the page geometry
PDF uses (`pipeline.readers.geometry`), then the same lattice, grids and matcher.

How real OFD files are built (GB/T 33190-2016, checked against public code that writes and reads
OFD: Java and Rust OFD SDK tests with `DeltaX="g 10 6.61"` runs in 电子发票 text, a C++ OFD
library's sample of a 数科-made page whose TextObject has `CTM="0.3527 0 0 0.3527 -114.8 111.35"`,
`Size="14.749"` and `TextCode X="324.419" Y="-303.723"`, readers' handling of `ReadDirection`;
no library is needed to read them):
- A zip. `OFD.xml` (namespace http://www.ofdspec.org/2016) lists `DocBody` entries; each names
  its document by `DocRoot` ("Doc_0/Document.xml") and carries `DocInfo` (Title, CreationDate).
- `Document.xml`: `CommonData` with the default `PageArea/PhysicalBox` ("0 0 210 297", in
  millimetres), `PublicRes` / `DocumentRes` files (fonts, images as `MultiMedia/MediaFile`,
  relative to the resource file's `BaseLoc` folder), `TemplatePage`s; `Pages/Page` entries with
  `BaseLoc` ("Pages/Page_0/Content.xml"), relative to the document's folder (some producers
  write it from the package root, or with a leading "/": all three are tried).
- A page (`Content.xml`): optional `Area/PhysicalBox`, `Template` references, and
  `Content/Layer`s of objects (also nested in `PageBlock`s). Every object has a `Boundary`
  ("x y w h", page millimetres, y down) and an optional `CTM` ("a b c d e f") mapping its own
  coordinates into the boundary.
- `TextObject`: `Size` (font size, mm, before the CTM) and `TextCode`s: X/Y is the baseline
  origin of the first character, in object coordinates; `DeltaX`/`DeltaY` list the advances to
  each next character, "g 5 4.23" standing for five advances of 4.23. A column of characters
  (vertical labels) advances by DeltaY; producers also set text at a large Size scaled down by
  the CTM ("0.3527 0 0 0.3527 …" with Size 14.7 for 5.2 mm), so positions and sizes are only
  right once the CTM is applied. `ReadDirection`/`CharDirection` rotations are not applied
  (report tables are not set rotated).
- `PathObject`: `AbbreviatedData` "M x y L x y … C" (also B, Q, A curves), object coordinates;
  `Stroke` defaults to true, `Fill` to false. Cell borders are lines or thin filled rectangles.
- `ImageObject`: `ResourceID` of a `MultiMedia` whose `MediaFile` holds the picture; a scanned
  page is one picture covering the page, read by OCR like a scanned PDF page.

Budgets (`pipeline.limits`): zip members and inflated sizes, pages, image pixels, OCR.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

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

_NS = "{http://www.ofdspec.org/2016}"
# Millimetres: segments thinner than this are lines; ends this close are the same line.
_THIN = 1.0
_TOLERANCE = 0.7
_ASCENT, _DESCENT = 0.88, 0.12  # of the font size, above and below the baseline
_MIN_IMAGE_SIDE = 20.0  # mm: smaller pictures are seals and logos, not tables
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if _tag(c) == name), None)


def _floats(text: str | None) -> list[float]:
    return [float(v) for v in _NUMBER.findall(text or "")]


def _box(text: str | None) -> Box | None:
    """A `Boundary` "x y w h" as (x0, top, x1, bottom)."""
    values = _floats(text)
    if len(values) != 4:
        return None
    x, y, w, h = values
    return x, y, x + w, y + h


def _matrix(text: str | None) -> Matrix:
    values = _floats(text)
    return (
        (values[0], values[1], values[2], values[3], values[4], values[5]) if len(values) == 6 else _IDENTITY
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _deltas(text: str | None) -> list[float]:
    """A DeltaX/DeltaY list with "g count value" runs expanded."""
    tokens = (text or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            count = int(float(tokens[i + 1]))
            if count > 100_000:
                raise UnreadableDocument("OFD: a DeltaX run longer than any text")
            out.extend([float(tokens[i + 2])] * count)
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return out


# ---------------------------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------------------------


class _Package:
    """The zip, read within the container budgets, and its XML parts."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise UnreadableDocument(f"OFD could not be read: {exc}") from exc
        infos = self.zip.infolist()
        if len(infos) > limits.ZIP_MAX_MEMBERS:
            raise limits.BudgetExceeded("zip members", len(infos), limits.ZIP_MAX_MEMBERS)
        self.names = {info.filename.lstrip("/"): info for info in infos}
        self.inflated = 0

    def read(self, name: str) -> bytes:
        info = self.names.get(name)
        if info is None:
            raise UnreadableDocument(f"OFD: {name} is missing from the package")
        if info.file_size > limits.ZIP_MAX_MEMBER_BYTES:
            raise limits.BudgetExceeded("zip member bytes", info.file_size, limits.ZIP_MAX_MEMBER_BYTES)
        with self.zip.open(info) as member:
            data = member.read(limits.ZIP_MAX_MEMBER_BYTES + 1)  # the declared size may lie
        if len(data) > limits.ZIP_MAX_MEMBER_BYTES:
            raise limits.BudgetExceeded("zip member bytes", len(data), limits.ZIP_MAX_MEMBER_BYTES)
        self.inflated += len(data)
        if self.inflated > limits.ZIP_MAX_TOTAL_BYTES:
            raise limits.BudgetExceeded("zip total bytes", self.inflated, limits.ZIP_MAX_TOTAL_BYTES)
        return data

    def xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.read(name), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise UnreadableDocument(f"OFD: {name} is not well-formed XML: {exc}") from exc

    def resolve(self, base: str, location: str) -> str:
        """A location as written, against the folder of `base`, the package root, or absolute."""
        location = location.strip().replace("\\", "/")
        candidates = [
            posixpath.normpath(posixpath.join(posixpath.dirname(base), location)),
            location.lstrip("/"),
        ]
        return next((c for c in candidates if c in self.names), candidates[0])


@dataclass
class _Resources:
    """Pictures by resource ID: the package path of each `MultiMedia`."""

    media: dict[str, str] = field(default_factory=dict)

    def load(self, package: _Package, name: str) -> None:
        root = package.xml(name)
        folder = package.resolve(name, root.get("BaseLoc", "") or ".")
        for element in root.iter(f"{_NS}MultiMedia"):
            media_file = _child(element, "MediaFile")
            if media_file is not None and media_file.text and element.get("ID"):
                path = package.resolve(folder + "/x", media_file.text)
                self.media[element.get("ID", "")] = path


# ---------------------------------------------------------------------------------------------
# Pages: objects -> characters, ruling segments, pictures
# ---------------------------------------------------------------------------------------------


@dataclass
class _Page:
    inks: list[Ink] = field(default_factory=list)
    ruling: Ruling = field(default_factory=Ruling)
    images: list[tuple[Box, str]] = field(default_factory=list)  # box on the page, resource ID


def _objects(root: etree._Element, page: _Page) -> None:
    for element in root.iter(f"{_NS}TextObject", f"{_NS}PathObject", f"{_NS}ImageObject"):
        boundary = _box(element.get("Boundary"))
        if boundary is None:
            continue
        kind = _tag(element)
        if kind == "TextObject":
            _text(element, boundary, page.inks)
        elif kind == "PathObject":
            _path(element, boundary, page.ruling)
        elif element.get("ResourceID"):
            page.images.append((boundary, element.get("ResourceID", "")))


def _text(element: etree._Element, boundary: Box, inks: list[Ink]) -> None:
    size = float(element.get("Size") or 0) or 3.5
    m = _matrix(element.get("CTM"))
    bx, by = boundary[0], boundary[1]
    x = y = 0.0
    for code in element.iter(f"{_NS}TextCode"):
        text = code.text or ""
        # X/Y given once hold for the TextCodes after it (GB/T 33190 §11.3).
        x = float(code.get("X", x))
        y = float(code.get("Y", y))
        dx, dy = _deltas(code.get("DeltaX")), _deltas(code.get("DeltaY"))
        cx, cy = x, y
        for k, ch in enumerate(text):
            width = dx[k] if k < len(dx) else (0.5 * size if ch.isascii() else size)
            if not ch.isspace():
                corners = [
                    _apply(m, px, py)
                    for px in (cx, cx + width)
                    for py in (cy - _ASCENT * size, cy + _DESCENT * size)
                ]
                xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                inks.append(Ink(ch, bx + min(xs), by + min(ys), bx + max(xs), by + max(ys)))
            cx += dx[k] if k < len(dx) else (width if not dy else 0.0)
            cy += dy[k] if k < len(dy) else 0.0


def _path(element: etree._Element, boundary: Box, ruling: Ruling) -> None:
    bx, by = boundary[0], boundary[1]
    if boundary[2] - boundary[0] < _THIN or boundary[3] - boundary[1] < _THIN:
        add_segment(ruling, *boundary, _THIN)  # a line, or a rectangle thin enough to be one
        return
    if element.get("Stroke", "true") == "false":
        return
    data = _child(element, "AbbreviatedData")
    m = _matrix(element.get("CTM"))
    tokens = (data.text or "").split() if data is not None else []
    if len(tokens) > 4096:
        return  # a drawing, not a frame
    start: tuple[float, float] | None = None
    point: tuple[float, float] | None = None
    i = 0
    while i < len(tokens):
        op = tokens[i]
        args = {"M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0, "S": 2}.get(op)
        if args is None:
            i += 1
            continue
        values = [float(v) for v in tokens[i + 1 : i + 1 + args] if _NUMBER.fullmatch(v)]
        i += 1 + args
        if len(values) < args:
            break
        if op in ("M", "S"):
            point = start = _apply(m, values[0], values[1])
        elif op == "L" and point is not None:
            end = _apply(m, values[0], values[1])
            _edge(ruling, point, end, bx, by)
            point = end
        elif op == "C" and point is not None and start is not None:
            _edge(ruling, point, start, bx, by)
            point = start
        elif args and len(values) >= 2:
            point = _apply(m, values[-2], values[-1])  # a curve: not a border


def _edge(ruling: Ruling, a: tuple[float, float], b: tuple[float, float], bx: float, by: float) -> None:
    if abs(a[0] - b[0]) < 0.2 or abs(a[1] - b[1]) < 0.2:  # axis-parallel: a possible border
        x0, x1 = sorted((a[0] + bx, b[0] + bx))
        y0, y1 = sorted((a[1] + by, b[1] + by))
        add_segment(ruling, x0, y0, x1, y1, _THIN)


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def read_ofd(data: bytes) -> Document:
    try:
        return _read(_Package(data))
    except (UnreadableDocument, limits.BudgetExceeded):
        raise
    except (ValueError, OverflowError, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        # A number that is not one, a member that does not inflate: the package is damaged.
        raise UnreadableDocument(f"OFD could not be read: {type(exc).__name__}: {exc}") from exc


def _read(package: _Package) -> Document:
    if "OFD.xml" not in package.names:
        raise UnreadableDocument("OFD: no OFD.xml in the package")
    root = package.xml("OFD.xml")
    body = _child(root, "DocBody")
    doc_root = _child(body, "DocRoot") if body is not None else None
    if doc_root is None or not (doc_root.text or "").strip():
        raise UnreadableDocument("OFD: OFD.xml names no document (DocBody/DocRoot)")
    document_name = package.resolve("OFD.xml", doc_root.text or "")
    document = package.xml(document_name)
    metadata = _metadata(body)
    common = _child(document, "CommonData")
    default_area = _area(common)
    resources = _Resources()
    templates: dict[str, str] = {}
    if common is not None:
        for name in ("PublicRes", "DocumentRes"):
            for res in (c for c in common if _tag(c) == name and c.text):
                resources.load(package, package.resolve(document_name, res.text or ""))
        for template in (c for c in common if _tag(c) == "TemplatePage"):
            templates[template.get("ID", "")] = package.resolve(document_name, template.get("BaseLoc", ""))
    pages_element = _child(document, "Pages")
    entries = [p for p in pages_element if _tag(p) == "Page"] if pages_element is not None else []
    if len(entries) > limits.PDF_MAX_PAGES:
        raise limits.BudgetExceeded("OFD pages", len(entries), limits.PDF_MAX_PAGES)
    ocr: OcrRun | None = None
    blocks: list[Block] = []
    page_starts: set[int] = set()
    ocr_pages: list[str] = []
    for number, entry in enumerate(entries, start=1):
        page_name = package.resolve(document_name, entry.get("BaseLoc", ""))
        page_root = package.xml(page_name)
        width, height = _area(page_root) or default_area or (210.0, 297.0)
        page = _Page()
        for reference in (c for c in page_root if _tag(c) == "Template"):
            location = templates.get(reference.get("TemplateID", ""))
            if location is not None and location in package.names:
                _objects(package.xml(location), page)
        _objects(page_root, page)
        page_starts.add(len(blocks))
        found, ocr = _page_blocks(page, width, height, package, resources, ocr)
        blocks.extend(found)
        if any(b.ocr for b in found):
            ocr_pages.append(str(number))
    blocks = join_page_breaks(blocks, page_starts, _TOLERANCE)
    if ocr_pages:
        metadata["ocr_pages"] = ",".join(ocr_pages)
    return document_from_blocks("ofd", blocks, metadata)


def _area(element: etree._Element | None) -> tuple[float, float] | None:
    if element is None:
        return None
    area = _child(element, "PageArea") if _tag(element) == "CommonData" else _child(element, "Area")
    physical = _child(area, "PhysicalBox") if area is not None else None
    box = _floats(physical.text) if physical is not None else []
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        return box[2], box[3]
    return None


def _metadata(body: etree._Element | None) -> dict[str, str]:
    info = _child(body, "DocInfo") if body is not None else None
    out: dict[str, str] = {}
    if info is None:
        return out
    title = _child(info, "Title")
    if title is not None and (title.text or "").strip():
        out["doc_title"] = (title.text or "").strip()
    created = _child(info, "CreationDate")
    if created is not None and re.match(r"\d{4}-\d{2}-\d{2}", (created.text or "").strip()):
        out["doc_created"] = (created.text or "").strip()[:10]
    return out


def _page_blocks(
    page: _Page, width: float, height: float, package: _Package, resources: _Resources, ocr: OcrRun | None
) -> tuple[list[Block], OcrRun | None]:
    """A page's blocks, as PDF's: a scan goes to OCR whole, a table picture on a text page too."""
    boxes = [box for box, _ in page.images]
    if scanned_page(page.inks, boxes, width, height):
        pictures = page.images
        blocks: list[Block] = []
    else:
        blocks = page_blocks(page.inks, ruled_tables(page.ruling, _TOLERANCE))
        tables = [b for b in blocks if b.grid is not None]
        pictures = [
            (box, rid)
            for box, rid in page.images
            if min(box[2] - box[0], box[3] - box[1]) >= _MIN_IMAGE_SIDE
            and not inside_any(box, tables)
            and not has_text(box, page.inks)
        ]
    for box, resource in pictures:
        path = resources.media.get(resource)
        if path is None or path not in package.names:
            continue
        from pipeline.readers.ocr import OcrRun, decode_image

        ocr = ocr or OcrRun()
        for frame in decode_image(package.read(path))[:1]:
            found = ocr.image_blocks(frame)
            sx, sy = (box[2] - box[0]) / frame.width, (box[3] - box[1]) / frame.height
            for block in found:
                block.top, block.bottom = box[1] + block.top * sy, box[1] + block.bottom * sy
                block.xs = tuple(box[0] + x * sx for x in block.xs)
            blocks.extend(found)
    return without_folios(blocks, height), ocr
