"""XLSX: every sheet as one grid, merged ranges expanded."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.grid import GridCell, TableGrid
from pipeline.readers import Document, UnreadableDocument


def read_xlsx(data: bytes) -> Document:
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableDocument(f"XLSX could not be read: {exc}") from exc
    tables = []
    for sheet in workbook.worksheets:
        grid = _sheet_grid(sheet)
        if any(cell.text for row in grid.rows for cell in row):
            tables.append(grid)
    text = "\n\n".join(grid.render() for grid in tables)
    return Document(format="xlsx", text=text, tables=tables)


def _sheet_grid(sheet) -> TableGrid:
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in sheet.merged_cells.ranges:
        top = (merged.min_row, merged.min_col)
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                origin[(r, c)] = top
    values = {
        (cell.row, cell.column): _cell_text(cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    rows = []
    for r in range(1, (sheet.max_row or 0) + 1):
        row = []
        for c in range(1, (sheet.max_column or 0) + 1):
            top = origin.get((r, c), (r, c))
            row.append(GridCell(values.get(top, ""), (top[0] - 1, top[1] - 1)))
        rows.append(row)
    return TableGrid(rows=rows, aligned=True, source=f"sheet {sheet.title}")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
