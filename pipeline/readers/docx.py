"""DOCX: paragraphs and tables in body order, merged cells (gridSpan, vMerge) expanded."""

from __future__ import annotations

from lxml import etree

from pipeline.grid import GridCell, TableGrid, check_cells, clamp_span
from pipeline.limits import GRID_MAX_SPAN, BudgetExceeded
from pipeline.readers import Document, UnreadableDocument
from pipeline.readers.zipped import ZIP_ERRORS, checked_zip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_CORE = "docProps/core.xml"


def read_docx(data: bytes) -> Document:
    try:
        with checked_zip(data, "DOCX") as archive:
            xml = archive.read("word/document.xml")
            core = archive.read(_CORE) if _CORE in archive.namelist() else b""
        root = etree.fromstring(xml, parser=etree.XMLParser(huge_tree=True, recover=False))
    except (BudgetExceeded, UnreadableDocument):  # already named (UnreadableDocument is a ValueError)
        raise
    except (*ZIP_ERRORS, KeyError, etree.XMLSyntaxError) as exc:
        raise UnreadableDocument(f"DOCX could not be read: {exc}") from exc
    body = root.find(f"{_W}body")
    if body is None:
        raise UnreadableDocument("DOCX has no document body")
    tables: list[TableGrid] = []
    lines: list[str] = []
    for block in body:
        if block.tag == f"{_W}p":
            text = _paragraph_text(block)
            if text.strip():
                lines.append(text.strip())
        elif block.tag == f"{_W}tbl":
            # A report table inside a layout table: the innermost tables are the data.
            leaves = [t for t in block.iter(f"{_W}tbl") if t.find(f".//{_W}tbl") is None]
            for table in leaves:
                grid = _table_grid(table, len(tables) + 1)
                tables.append(grid)
                lines.append(grid.render())
        elif block.tag == f"{_W}sdt":  # content controls wrap ordinary paragraphs
            lines.extend(t.strip() for p in block.iter(f"{_W}p") if (t := _paragraph_text(p)).strip())
    return Document(format="docx", text="\n".join(lines), tables=tables, metadata=_core_metadata(core))


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}tab":
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    paragraphs = [_paragraph_text(p).strip() for p in tc.iter(f"{_W}p")]
    return "\n".join(p for p in paragraphs if p)


def _table_grid(tbl: etree._Element, index: int) -> TableGrid:
    """Expand merges: gridSpan repeats a cell to the right, vMerge continues the cell above."""
    rows: list[list[GridCell]] = []
    n_cells = 0  # expanded cells so far, checked before more are made
    for r, tr in enumerate(tbl.findall(f"{_W}tr")):
        row: list[GridCell] = []
        skip_before = min(_int_attr(tr.find(f"{_W}trPr/{_W}gridBefore"), 0), GRID_MAX_SPAN)
        n_cells += skip_before
        row.extend(GridCell("", (r, c)) for c in range(skip_before))
        for tc in tr.findall(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span = clamp_span(_int_attr(props.find(f"{_W}gridSpan") if props is not None else None, 1))
            n_cells += span
            check_cells(n_cells)
            vmerge = props.find(f"{_W}vMerge") if props is not None else None
            c = len(row)
            above = rows[-1][c] if rows and c < len(rows[-1]) else None
            if vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue" and above is not None:
                cells = [rows[-1][c + i] if c + i < len(rows[-1]) else above for i in range(span)]
            else:
                cell = GridCell(_cell_text(tc), (r, c))
                cells = [cell] * span
            row.extend(cells)
        rows.append(row)
    width = max((len(row) for row in rows), default=0)
    check_cells(width * len(rows))
    for r, row in enumerate(rows):
        row.extend(GridCell("", (r, c)) for c in range(len(row), width))
    return TableGrid(rows=rows, aligned=True, source=f"table {index}")


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    value = el.get(f"{_W}val", "")
    # Nine digits pass every budget; thousands would make int() refuse (ValueError).
    return max(1, int(value[:9])) if value.isdigit() else default


def _core_metadata(core: bytes) -> dict[str, str]:
    if not core:
        return {}
    try:
        root = etree.fromstring(core)
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for el in root:
        name = etree.QName(el).localname
        text = (el.text or "").strip()
        if name == "title" and text:
            out["doc_title"] = text
        elif name == "created" and text:
            out["doc_created"] = text
    return out
