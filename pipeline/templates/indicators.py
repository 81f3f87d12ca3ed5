"""Indicator tables of the reports before 2019: rows of label | unit | value columns.

The 2014–2018 national statistics table (era2014.py) and local 附表 (legacy.py) are both read
as such rows: a header row names the label, unit and value columns; a value column is the year's
own figure, never a cumulative one or a part of the region.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.grid import GridCell, TableGrid
from pipeline.matcher import GridPosition, Key, MatchedCell, MatchResult, Patterns
from pipeline.numbers import CellValue, label_key, read_cell, squash
from pipeline.report import KIND_NUMBER, KIND_TEXT

_NUMBERING = re.compile(r"^(其中[:,]?|[一二三四五六七八九十]+[,.]|\([一二三四五六七八九十\d]+\)|\d+[.,]?)")


def indicator_label(text: str) -> str:
    """A row label reduced to its words: "（一）1.其中：当面申请数" -> "当面申请数"."""
    key = label_key(text)
    while (stripped := _NUMBERING.sub("", key)) != key:
        key = stripped
    return key


def first_code(rows: Patterns, key: str) -> str | None:
    return next((code for code, pattern in rows if re.search(pattern, key)), None)


_LABEL_HEAD = re.compile(r"统计指标|指标名称|指标|项目|名称")
_UNIT_HEAD = re.compile(r"^(计量)?单位$")
_CUMULATIVE = re.compile(r"累计")
# Columns of the parts of a region (a district's own figure, its departments', its towns').
_SPLIT = re.compile(r"区政府|县政府|市政府|区直|县直|市直|乡镇|街道|镇街|部门")
# 年末统计: 平潭's 附表 (2009–2016) give the year's figure under that head.
_VALUE_HEAD = re.compile(r"统计数|本期(实际)?|本年度?|\d{4}年度?|年末统计|数量|数值|合计|总计|总数|^数$")
_UNITS = frozenset({"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "宗", "项", "份", "-", "—"})


@dataclass
class _Columns:
    label: int
    unit: int | None
    value: int | None


@dataclass(frozen=True)
class IndicatorRow:
    label: str
    unit: str
    value: str
    position: GridPosition  # of the value cell


def _distinct(row: list[GridCell]) -> list[tuple[int, str]]:
    """(column, text) of a row with horizontal span copies dropped."""
    out: list[tuple[int, str]] = []
    for c, cell in enumerate(row):
        if c and row[c - 1].origin == cell.origin:
            continue
        out.append((c, cell.text))
    return out


def _header(row: list[GridCell], warnings: list[str]) -> _Columns | None:
    cells = [(c, label_key(t)) for c, t in _distinct(row) if t.strip()]
    if any(read_cell(t).kind == KIND_NUMBER for _, t in cells):
        return None
    label = next((c for c, k in cells if _LABEL_HEAD.search(k)), None)
    if label is None:
        return None
    unit = next((c for c, k in cells if _UNIT_HEAD.search(k)), None)
    values = [
        (c, k)
        for c, k in cells
        if c not in (label, unit) and (_VALUE_HEAD.search(k) or _CUMULATIVE.search(k) or _SPLIT.search(k))
    ]
    plain = [c for c, k in values if not _CUMULATIVE.search(k) and not _SPLIT.search(k)]
    if unit is None and not values:
        return None
    skipped = [k for c, k in values if c not in plain]
    if skipped:
        warnings.append(f"columns_not_read: {', '.join(skipped)} (cumulative or part-of-region figures)")
    if not plain:
        warnings.append("no_value_column: the table has no 统计数/本年度 column; its rows are not read")
    return _Columns(label, unit, plain[0] if plain else None)


def _infer_columns(grid: TableGrid) -> _Columns | None:
    """Columns of a table printed without a header: the unit column is the one of unit words,
    the value column the first mostly-numeric one to its right, the label the text to its left."""
    width = max((len(r) for r in grid.rows), default=0)
    texts = [[squash(r[c].text) if c < len(r) else "" for r in grid.rows] for c in range(width)]

    def share(c: int, test: Callable[[str], bool]) -> float:
        filled = [t for t in texts[c] if t]
        return sum(map(test, filled)) / len(filled) if filled else 0.0

    units = [c for c in range(width) if share(c, lambda t: t in _UNITS) >= 0.5]
    if not units:
        return None
    unit = units[0]
    values = [
        c for c in range(unit + 1, width) if share(c, lambda t: read_cell(t).kind == KIND_NUMBER) >= 0.5
    ]
    labels = [c for c in range(unit) if share(c, lambda t: read_cell(t).kind == KIND_TEXT) >= 0.5]
    if not values or not labels:
        return None
    return _Columns(labels[-1], unit, values[0])


def indicator_rows(grids: list[TableGrid], warnings: list[str]) -> Iterator[IndicatorRow]:
    """(label, unit, value) of every row of the indicator tables among the grids.

    A header row names the columns; a table continued on the next page (no header, same width)
    keeps the columns of the last header; a table with no header at all has them inferred.
    """
    columns: _Columns | None = None
    width = -1
    for table, grid in enumerate(grids):
        rows = grid.rows
        if not rows:
            continue
        if max(len(r) for r in rows) != width:
            columns = None
        width = max(len(r) for r in rows)
        for row in rows:
            header = _header(row, warnings)
            if header is not None:
                columns = header
                continue
            columns = columns or _infer_columns(grid)
            if columns is None or columns.value is None or columns.value >= len(row):
                continue
            label = row[columns.label].text if columns.label < len(row) else ""
            unit = row[columns.unit].text if columns.unit is not None and columns.unit < len(row) else ""
            if label.strip():
                value = row[columns.value]
                yield IndicatorRow(label, squash(unit), value.text, GridPosition(table, *value.origin))


def store_row(result: MatchResult, key: Key, row: IndicatorRow) -> None:
    cell = read_cell(row.value)
    if cell.kind == KIND_NUMBER and not cell.unit and row.unit in ("元", "万元", "亿元"):
        cell = CellValue(cell.kind, cell.value, row.unit)  # the 单位 column, for money conversion
    previous = result.cells.get(key)
    if previous is not None:
        if previous.cell.value != cell.value:
            name = "/".join(key)
            result.warnings.append(f"duplicate_row: {name} given twice ({previous.raw!r}, {row.value!r})")
        return
    result.cells[key] = MatchedCell(key, row.value, row.label, cell, row.position)
