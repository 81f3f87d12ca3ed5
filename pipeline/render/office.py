"""DOCX (python-docx) and XLSX (openpyxl) renderings of a report.

The DOCX is laid out like a 公文 (A4, GB/T 9704 margins, 仿宋_GB2312) with real merged cells
(gridSpan / vMerge), a defined table grid and multi-paragraph header cells, so that text
extraction gives the seed's layout and LibreOffice can convert it. The XLSX holds the three
tables on one sheet with merged ranges, numbers as numeric cells.
"""

from __future__ import annotations

import io
import random
import re

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .document import HEADING, PAGE_BREAK, PARA, SIGN, SUBHEADING, TABLE, TITLE, build_document, default_rng
from .tables import Table, build_tables, layout, vertical_label
from .truth import GroundTruth

_FONTS = {TITLE: "方正小标宋简体", HEADING: "黑体", SUBHEADING: "楷体_GB2312"}
_BODY_FONT = "仿宋_GB2312"


def _run(
    paragraph: Paragraph, text: str, *, font: str = _BODY_FONT, size: float = 16, bold: bool = False
) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    # Chinese text takes the East Asian font slot, which python-docx does not expose.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _go_back_bookmark(paragraph: Paragraph) -> None:
    """Word's hidden bookmark at the last edit position ("[bookmark: _GoBack]" in Tika text)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "0")
    start.set(qn("w:name"), "_GoBack")
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "0")
    # types-lxml wants children of the parent's own class (CT_P); OxmlElement is typed as a plain
    # _Element although at run time it is python-docx's custom element for the tag.
    paragraph._p[0:0] = [start, end]  # type: ignore[list-item]


def _page_number_footer(doc: WordDocument) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _fill_cell(cell: _Cell, text: str, lead_blank: int, size: float) -> None:
    """One paragraph per line of a header ("商业" / "企业"), after any stray blank paragraphs."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = [""] * lead_blank + (text.split("\n") if text else [""])
    for i, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if line:
            _run(paragraph, line, size=size)


def _docx_table(doc: WordDocument, table: Table, *, vertical_labels: bool = False) -> None:
    t = doc.add_table(rows=len(table.rows), cols=table.ncols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Cm(w) for w in table.widths]
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width  # the tblGrid LibreOffice lays the table out by
    for i, cell in enumerate(t._cells):
        cell.width = widths[i % table.ncols]
    for row in t.rows[: table.header_rows]:
        # Word repeats these rows on every page the table runs onto.
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    grid = layout(table)
    origins = [(r, c, s) for r, row in enumerate(grid) for c, s in enumerate(row) if (s.row, s.col) == (r, c)]
    # Table.cell() rebuilds the whole cell list on every call; take the list once per phase.
    plain = t._cells
    for r, c, slot in origins:
        if slot.cell.rowspan > 1 or slot.cell.colspan > 1:
            end = (r + slot.cell.rowspan - 1) * table.ncols + c + slot.cell.colspan - 1
            plain[r * table.ncols + c].merge(plain[end])
    merged = t._cells
    size = 9 if table.ncols > 10 else 10.5
    for r, c, slot in origins:
        cell = merged[r * table.ncols + c]
        _fill_cell(cell, slot.cell.text, slot.cell.lead_blank, size)
        if vertical_labels and vertical_label(slot, table):
            # Word's vertical East Asian text: characters upright, one under the other.
            direction = OxmlElement("w:textDirection")
            direction.set(qn("w:val"), "tbRlV")
            cell._tc.get_or_add_tcPr().append(direction)


def render_docx(gt: GroundTruth, *, rng: random.Random | None = None, vertical_labels: bool = False) -> bytes:
    """The report as a Word document; `vertical_labels` sets table 三's rowspan label vertically."""
    rng = rng or default_rng(gt)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.author = "Administrator"
    doc.core_properties.title = gt.title if gt.metadata_title is None else gt.metadata_title
    for block in build_document(gt, rng, quirks=True):
        if block.kind == TITLE:
            for line in block.text.split("\n"):
                paragraph = doc.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(paragraph, line, font=_FONTS[TITLE], size=22)
            doc.add_paragraph()
        elif block.kind in (HEADING, SUBHEADING, PARA):
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)
            _run(paragraph, block.text, font=_FONTS.get(block.kind, _BODY_FONT))
            if block.bookmark:
                _go_back_bookmark(paragraph)
        elif block.kind == SIGN:
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, block.text)
        elif block.kind == PAGE_BREAK:
            doc.add_page_break()
        elif block.kind == TABLE and block.table is not None:
            _docx_table(doc, block.table, vertical_labels=vertical_labels)
    _page_number_footer(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------

_HEADINGS = {
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
}


def _xlsx_value(text: str) -> tuple[int | float | str | None, str | None]:
    """(cell value, number format): plain and comma-grouped numbers become numbers, the rest
    ("/", "５", "+3", "251000元") stays text as a clerk would have typed it."""
    if not text:
        return None, None
    m = re.fullmatch(r"-?(\d{1,3}(?:,\d{3})+|\d+)(\.(\d+))?", text, re.ASCII)
    if not m:
        return text, None
    grouped = "," in text
    number = float(text.replace(",", "")) if m[2] else int(text.replace(",", ""))
    decimals = len(m[3]) if m[3] else 0
    fmt = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    return number, fmt if grouped or decimals else None


XLSX_TITLE_ROWS = ("merged", "cell", "unit")


def render_xlsx(gt: GroundTruth, *, rng: random.Random | None = None, title_row: str = "merged") -> bytes:
    """The three tables on one sheet under a title row.

    `title_row`: "merged" – the title across the sheet's width; "cell" – the title in A1 alone, no
    merge (the row reads as the title followed by empty cells); "unit" – a title naming only the
    year, then a 填报单位 row naming the agency. A `title_lines` title takes one row per line.
    """
    if title_row not in XLSX_TITLE_ROWS:
        raise ValueError(f"unknown title_row {title_row!r}; expected one of {XLSX_TITLE_ROWS}")
    rng = rng or default_rng(gt)
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet
    ws.title = f"{gt.year}年报"
    width = 15
    if title_row == "unit":
        lines = [f"{gt.year}年政府信息公开工作年度报告", f"填报单位：{gt.agency_full}"]
    else:
        lines = list(gt.title_lines or (gt.title,))
    for line_row, line in enumerate(lines, start=1):
        size = 16 if line_row == 1 or title_row != "unit" else 11
        ws.cell(line_row, 1, line).font = Font(bold=True, size=size)
        ws.cell(line_row, 1).alignment = Alignment(horizontal="center")
        if title_row != "cell":
            ws.merge_cells(start_row=line_row, start_column=1, end_row=line_row, end_column=width)
    for col, chars in enumerate((16, 12, 30, *[9] * 12), start=1):
        ws.column_dimensions[get_column_letter(col)].width = chars
    top = len(lines) + 2
    for table in build_tables(gt, wrap=rng.random() < 0.5):
        ws.cell(top, 1, _HEADINGS[table.section]).font = Font(bold=True)
        top += 1
        for r, row in enumerate(layout(table)):
            for c, slot in enumerate(row):
                if (slot.row, slot.col) != (r, c):
                    continue
                cell = ws.cell(top + r, c + 1)
                value, fmt = (
                    _xlsx_value(slot.cell.text) if slot.cell.kind == "data" else (slot.cell.text, None)
                )
                cell.value = value
                if fmt:
                    cell.number_format = fmt
                cell.alignment = Alignment(
                    horizontal="center", vertical="center", wrap_text="\n" in slot.cell.text
                )
                if slot.cell.rowspan > 1 or slot.cell.colspan > 1:
                    ws.merge_cells(
                        start_row=top + r,
                        start_column=c + 1,
                        end_row=top + r + slot.cell.rowspan - 1,
                        end_column=c + slot.cell.colspan,
                    )
        top += len(table.rows) + 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
