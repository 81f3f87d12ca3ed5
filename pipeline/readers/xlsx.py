"""XLSX: every sheet as one grid, merged ranges expanded.

A sheet is read from the cells it holds, never from its declared extent: one cell at XFD1048576
or a merge A1:XFD1048576 must not make a grid of the whole sheet. When the occupied area would
pass GRID_MAX_CELLS, rows and columns holding nothing are left out (the cells keep their order
and alignment), and only then does the grid budget apply.
"""

from __future__ import annotations

import io
import re
import zipfile
from bisect import bisect_left, bisect_right

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.grid import GridCell, TableGrid, check_cells
from pipeline.limits import GRID_MAX_CELLS
from pipeline.readers import Document, UnreadableDocument
from pipeline.readers.zipped import ZIP_ERRORS, checked_zip

_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)"'
)
Position = tuple[int, int]  # (row, column), 1-based as in the sheet


def read_xlsx(data: bytes) -> Document:
    archive = checked_zip(data, "XLSX")  # budgets first: openpyxl inflates whatever it is given
    _check_merges(archive)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (*ZIP_ERRORS, InvalidFileException, KeyError) as exc:
        raise UnreadableDocument(f"XLSX could not be read: {exc}") from exc
    tables = []
    for sheet in workbook.worksheets:
        grid = _sheet_grid(sheet)
        if any(cell.text for row in grid.rows for cell in row):
            tables.append(grid)
    text = "\n\n".join(grid.render() for grid in tables)
    return Document(format="xlsx", text=text, tables=tables)


def _check_merges(archive: zipfile.ZipFile) -> None:
    """openpyxl makes a cell object for every cell a merge covers, as it loads: merges are
    measured from the sheet XML first (A1:XFD1048576 is 17 billion cells)."""
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            area = sum(_area(*ref) for ref in _MERGE_REF.findall(archive.read(name)))
            check_cells(area)


def _area(left: bytes, top: bytes, right: bytes, bottom: bytes) -> int:
    rows = abs(int(bottom[:9]) - int(top[:9])) + 1
    columns = abs(column_index_from_string(right.decode()) - column_index_from_string(left.decode())) + 1
    return rows * columns


def _sheet_grid(sheet: Worksheet) -> TableGrid:
    # openpyxl's public iterators walk the declared extent cell by cell; its cell store is sparse.
    values = {
        (cell.row, cell.column): text
        for cell in sheet._cells.values()
        if cell.value is not None and (text := _cell_text(cell.value))
    }
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
    row_ids, col_ids = _occupied_axes(values)
    check_cells(len(row_ids) * len(col_ids))
    origin: dict[Position, Position] = {}
    for top, left, bottom, right in merges:
        # Only the merge's occupied rows and columns, not its whole rectangle.
        rows = row_ids[bisect_left(row_ids, top) : bisect_right(row_ids, bottom)]
        cols = col_ids[bisect_left(col_ids, left) : bisect_right(col_ids, right)]
        check_cells(len(origin) + len(rows) * len(cols))
        for r in rows:
            for c in cols:
                origin[(r, c)] = (top, left)
    index = {(r, c): (i, j) for i, r in enumerate(row_ids) for j, c in enumerate(col_ids)}
    grid_rows = []
    for r in row_ids:
        row = []
        for c in col_ids:
            top = origin.get((r, c), (r, c))
            row.append(GridCell(values.get(top, ""), index.get(top, index[(r, c)])))
        grid_rows.append(row)
    return TableGrid(rows=grid_rows, aligned=True, source=f"sheet {sheet.title}")


def _occupied_axes(values: dict[Position, str]) -> tuple[list[int], list[int]]:
    """The sheet rows and columns of the grid: all of them up to the last value when that area
    fits the budget, else only those that hold a value."""
    if not values:
        return [], []
    height, width = max(r for r, _ in values), max(c for _, c in values)
    if height * width <= GRID_MAX_CELLS:
        return list(range(1, height + 1)), list(range(1, width + 1))
    return sorted({r for r, _ in values}), sorted({c for _, c in values})


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
