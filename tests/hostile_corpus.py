"""The hostile corpus: documents generated in code that attack a budget or a reader, each with what
parsing it must give. Shared by the parser tests, the crawl tests and the README's counts.

Every builder writes its bytes from a generated report (pipeline.render) or from scratch; nothing
is stored. `expect` is "ok" (every cell of the generated report read right) or the budget or
message the failure must name.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from pipeline.limits import ZIP_MAX_MEMBER_BYTES
from pipeline.parse import parse_report
from pipeline.render import GroundTruth, random_ground_truth, render_docx, render_html, render_xlsx
from pipeline.report import Report
from pipeline.workers import IsolatedPool

# Per-document budgets of the parser tests: generous for a report (they parse in well under a
# second), small against a runaway.
DOCUMENT_SECONDS, DOCUMENT_MEMORY = 60.0, 2 * 1024**3
_OVER_MEMBER_BUDGET = ZIP_MAX_MEMBER_BYTES + 2 * 1024 * 1024
Built = tuple[bytes, GroundTruth | None]


@dataclass(frozen=True)
class HostileInput:
    name: str
    filename: str
    build: Callable[[], tuple[bytes, GroundTruth | None]]
    expect: str  # "ok", or a text the failed report's error must contain


@pytest.fixture(scope="module")
def budgeted_pool() -> Iterator[IsolatedPool]:
    """Two parse workers under the per-document budgets (a runaway is a WorkerFailed)."""
    with IsolatedPool(2, seconds=DOCUMENT_SECONDS, memory_bytes=DOCUMENT_MEMORY) as started:
        yield started


def parse_named(data: bytes, filename: str) -> Report:
    """parse_report with a file name (module level: the workers import it)."""
    return parse_report(data, filename)


def truth(seed: int = 11) -> GroundTruth:
    return random_ground_truth(random.Random(seed))


# --- HTML ---------------------------------------------------------------------------------------


def _span_bomb() -> tuple[bytes, None]:
    cells = '<td colspan="200" rowspan="200">1</td>' * 20
    rows = f"<tr>{cells}</tr>" * 100  # 2,000 cells of 200×200: 80 million grid positions
    return f"<html><body><table>{rows}</table></body></html>".encode(), None


def _with_prefix(prefix: bytes) -> Callable[[], tuple[bytes, GroundTruth]]:
    def build() -> tuple[bytes, GroundTruth]:
        gt = truth()
        page = render_html(gt)
        at = page.index(b">", page.index(b"<body")) + 1
        return page[:at] + prefix + page[at:], gt

    return build


def _nul_at_60() -> tuple[bytes, GroundTruth]:
    gt = truth()
    page = bytearray(render_html(gt))
    page[60] = 0
    return bytes(page), gt


def _extra_table(cell: str, colspan: str = "1") -> Callable[[], Built]:
    """A generated report page with one more table after the report: 附注 and `cell`."""

    def build() -> Built:
        gt = truth()
        page = render_html(gt)
        extra = f'<table><tr><td>附注</td><td colspan="{colspan}">{cell}</td></tr></table>'.encode()
        at = page.rindex(b"</body>")
        return page[:at] + extra + page[at:], gt

    return build


# --- zips: DOCX and XLSX --------------------------------------------------------------------------


def _rezip(data: bytes, replace: dict[str, bytes], *, extra: int = 0) -> bytes:
    """The same package with some members replaced and `extra` dummy members added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for i in range(extra):
            target.writestr(f"customXml/item{i}.xml", b"<a/>")
    return out.getvalue()


def _member(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def _docx_grid_span(span: str, cells: int) -> Callable[[], Built]:
    """A generated report with one more table after it: one row of `cells` cells of `span`."""

    def build() -> Built:
        gt = truth()
        package = render_docx(gt)
        cell = (
            f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>附注</w:t></w:r></w:p></w:tc>'
        )
        table = f"<w:tbl><w:tr>{cell * cells}</w:tr></w:tbl>".encode()
        xml = _member(package, "word/document.xml")
        end = xml.rfind(b"<w:sectPr")
        xml = xml[:end] + table + xml[end:] if end >= 0 else xml.replace(b"</w:body>", table + b"</w:body>")
        return _rezip(package, {"word/document.xml": xml}), gt

    return build


def _docx_bomb() -> tuple[bytes, None]:
    package = render_docx(truth())
    xml = _member(package, "word/document.xml")
    padding = b" " * _OVER_MEMBER_BUDGET  # blanks deflate a thousand to one
    bomb = xml.replace(b"<w:body>", b"<w:body>" + padding, 1)
    return _rezip(package, {"word/document.xml": bomb}), None


def _understated(data: bytes, member: str, declared: int) -> bytes:
    """`data` with `member`'s uncompressed size written as `declared` in both of its headers (a
    zip that lies about what it inflates to)."""
    out = bytearray(data)
    name = member.encode()
    local = out.index(b"PK\x03\x04")  # the first local header
    while True:
        name_len = struct.unpack_from("<H", out, local + 26)[0]
        extra_len = struct.unpack_from("<H", out, local + 28)[0]
        size = struct.unpack_from("<I", out, local + 18)[0]
        if out[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", out, local + 22, declared)
            break
        local = out.index(b"PK\x03\x04", local + 30 + name_len + extra_len + size)
    central = out.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", out, central + 24, declared)
            return bytes(out)
        central = out.index(b"PK\x01\x02", central + 46)


def _docx_lying_bomb() -> tuple[bytes, None]:
    data, _ = _docx_bomb()
    return _understated(data, "word/document.xml", 4096), None


def _xlsx_sheet(edit: Callable[[bytes], bytes], keep_truth: bool) -> Callable[[], Built]:
    def build() -> Built:
        gt = truth()
        package = render_xlsx(gt)
        name = "xl/worksheets/sheet1.xml"
        return _rezip(package, {name: edit(_member(package, name))}), gt if keep_truth else None

    return build


def _far_cell(sheet: bytes) -> bytes:
    row = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return sheet.replace(b"</sheetData>", row + b"</sheetData>", 1)


def _whole_sheet_merge(sheet: bytes) -> bytes:
    merge = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    sheet = sheet.replace(b"<mergeCells", b"<!--", 1).replace(b"</mergeCells>", b"-->", 1)  # drop theirs
    return sheet.replace(b"</sheetData>", b"</sheetData>" + merge, 1)


def _sheet_bomb(sheet: bytes) -> bytes:
    return sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * _OVER_MEMBER_BUDGET, 1)


def _many_members() -> tuple[bytes, None]:
    return _rezip(render_xlsx(truth()), {}, extra=2_500), None


HOSTILE_INPUTS: tuple[HostileInput, ...] = (
    HostileInput("html: 2,000 cells of colspan=200 rowspan=200", "spans.html", _span_bomb, "GRID_MAX_CELLS"),
    HostileInput(
        "html: 260 unclosed <font> before the report", "font.html", _with_prefix(b"<font>" * 260), "ok"
    ),
    HostileInput("html: 3,000 unclosed <font>", "font3000.html", _with_prefix(b"<font size=2>" * 3000), "ok"),
    HostileInput("html: one NUL at byte 60", "nul.html", _nul_at_60, "ok"),
    HostileInput("html: a cell of 5,000 digits", "digits.html", _extra_table("9" * 5000), "ok"),
    HostileInput("html: a cell of 9 KB of '1 '", "ones.html", _extra_table("1 " * 4500), "ok"),
    HostileInput(
        "html: colspan of 5,000 digits",
        "colspan-digits.html",
        _extra_table("x", colspan="9" * 5000),
        "ok",
    ),
    HostileInput("docx: gridSpan=100000000", "gridspan.docx", _docx_grid_span("100000000", 1), "ok"),
    HostileInput(
        "docx: 300 cells of gridSpan=1000", "gridspans.docx", _docx_grid_span("1000", 300), "GRID_MAX_CELLS"
    ),
    HostileInput(
        "docx: gridSpan of 5,000 digits", "gridspan-digits.docx", _docx_grid_span("9" * 5000, 1), "ok"
    ),
    HostileInput("docx: zip bomb (64+2 MiB document.xml)", "bomb.docx", _docx_bomb, "ZIP_MAX_MEMBER_BYTES"),
    HostileInput(
        "docx: zip bomb that understates its size", "liar.docx", _docx_lying_bomb, "DOCX could not be read"
    ),
    HostileInput("xlsx: one cell at XFD1048576", "far.xlsx", _xlsx_sheet(_far_cell, True), "ok"),
    HostileInput(
        "xlsx: a merge A1:XFD1048576", "merge.xlsx", _xlsx_sheet(_whole_sheet_merge, False), "GRID_MAX_CELLS"
    ),
    HostileInput(
        "xlsx: zip bomb (64+2 MiB sheet)",
        "bomb.xlsx",
        _xlsx_sheet(_sheet_bomb, False),
        "ZIP_MAX_MEMBER_BYTES",
    ),
    HostileInput("xlsx: 2,500 zip members", "members.xlsx", _many_members, "ZIP_MAX_MEMBERS"),
)
