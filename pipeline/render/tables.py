"""The one table model every renderer writes out: a table is built once as rows of
(text, rowspan, colspan) cells in HTML order and each format (text, HTML, DOCX, XLSX) lays it out.

Structures follow domain-notes §1.2–1.4 (2021) and §2 (2019) exactly.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace

from pipeline.codebook import REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ITEMS, load_codebook

from .truth import GroundTruth, Key, printed_label

LABEL = "label"
DATA = "data"


@dataclass(frozen=True)
class Cell:
    text: str  # "\n" separates the paragraphs of a multi-line header cell ("商业\n企业")
    rowspan: int = 1
    colspan: int = 1
    kind: str = LABEL
    key: Key | None = None  # the codebook key of a data cell
    lead_blank: int = 0  # empty paragraphs before a value (a DOCX artifact, "\t\n0" in the seed)


@dataclass(frozen=True)
class Table:
    section: str  # "二" | "三" | "四"
    rows: tuple[tuple[Cell, ...], ...]  # each row lists the cells that start in it, left to right
    ncols: int
    widths: tuple[float, ...]  # column widths in cm, as a Word table's grid defines them
    header_rows: int = 0  # rows repeated when the table is split across pages

    def data_cells(self) -> list[Cell]:
        return [c for row in self.rows for c in row if c.kind == DATA]


@dataclass(frozen=True)
class Slot:
    """One grid position: the cell covering it and where that cell starts."""

    cell: Cell
    row: int
    col: int


def layout(table: Table) -> list[list[Slot]]:
    """The full grid (rows × ncols) of a table, resolving rowspans and colspans."""
    grid: list[list[Slot | None]] = [[None] * table.ncols for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while grid[r][c] is not None:
                c += 1
            slot = Slot(cell, r, c)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if grid[r + dr][c + dc] is not None:
                        raise ValueError(f"table {table.section}: overlapping cells at {r + dr},{c + dc}")
                    grid[r + dr][c + dc] = slot
            c += cell.colspan
    if any(s is None for row in grid for s in row):
        raise ValueError(f"table {table.section}: grid has holes")
    return grid  # type: ignore[return-value]


def vertical_label(slot: Slot, table: Table) -> bool:
    """A label WPS and Word users set vertically (one character under the other): the rowspan
    label of a narrow first column, table 三's 三、本年度办理结果."""
    return slot.col == 0 and slot.cell.colspan == 1 and slot.cell.rowspan > 2 and table.widths[0] < 1.5


def split_table(table: Table, at: int, *, repeat_header: bool) -> tuple[Table, Table]:
    """Split before row `at` as a page break does: spans are cut, a label spanning the break
    continues as an empty cell, and the header rows are repeated when Word is told to."""
    grid = layout(table)
    first = tuple(
        tuple(replace(c, rowspan=min(c.rowspan, at - r)) for c in row)
        for r, row in enumerate(table.rows[:at])
    )
    rest: list[tuple[Cell, ...]] = list(table.rows[: table.header_rows]) if repeat_header else []
    for r in range(at, len(table.rows)):
        out: list[Cell] = []
        c = 0
        while c < table.ncols:
            slot = grid[r][c]
            if slot.row == r:
                out.append(slot.cell)
            elif slot.row < at and r == at:
                out.append(Cell("", rowspan=slot.row + slot.cell.rowspan - at, colspan=slot.cell.colspan))
            c = slot.col + slot.cell.colspan
        rest.append(tuple(out))
    header = table.header_rows if repeat_header else 0
    return replace(table, rows=first), replace(table, rows=tuple(rest), header_rows=header)


# --------------------------------------------------------------------------------------------
# Table 二
# --------------------------------------------------------------------------------------------

# (第二十条 item, column heads, ((row label, codebook item), …), codebook columns)
_T2 = {
    "2021": (
        (
            "第二十条第（一）项",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            (("规章", "rules"), ("行政规范性文件", "normative_documents")),
            ("issued", "repealed", "in_force"),
        ),
        (
            "第二十条第（五）项",
            ("本年处理决定数量",),
            (("行政许可", "administrative_licensing"),),
            ("decisions",),
        ),
        (
            "第二十条第（六）项",
            ("本年处理决定数量",),
            (("行政处罚", "administrative_penalty"), ("行政强制", "administrative_coercion")),
            ("decisions",),
        ),
        (
            "第二十条第（八）项",
            ("本年收费金额（单位：万元）",),
            (("行政事业性收费", "administrative_fees"),),
            ("amount",),
        ),
    ),
    "2019": (
        (
            "第二十条第（一）项",
            ("本年新\n制作数量", "本年新\n公开数量", "对外公开总数量"),
            (("规章", "rules"), ("规范性文件", "normative_documents")),
            ("newly_made", "newly_published", "total_published"),
        ),
        (
            "第二十条第（五）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (("行政许可", "administrative_licensing"), ("其他对外管理服务事项", "other_management_services")),
            ("items_last_year", "items_change", "decisions"),
        ),
        (
            "第二十条第（六）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (("行政处罚", "administrative_penalty"), ("行政强制", "administrative_coercion")),
            ("items_last_year", "items_change", "decisions"),
        ),
        (
            "第二十条第（八）项",
            ("上一年项目数量", "本年增/减"),
            (("行政事业性收费", "administrative_fees"),),
            ("items_last_year", "items_change"),
        ),
        (
            "第二十条第（九）项",
            ("采购项目数量", "采购总金额"),
            (("政府集中采购", "government_procurement"),),
            ("projects", "amount"),
        ),
    ),
}
# How k column heads share the three value columns of table 二.
_T2_SPANS = {1: (3,), 2: (1, 2), 3: (1, 1, 1)}


def _value(gt: GroundTruth, key: Key, lead_blank: int = 0) -> Cell:
    # Only values get a stray blank paragraph: a blank cell with one would be indistinguishable
    # from a row break in the extracted text.
    text = gt.published[key]
    return Cell(text, kind=DATA, key=key, lead_blank=lead_blank if text else 0)


def table_2(gt: GroundTruth, *, wrap: bool) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for article, heads, items, columns in _T2[gt.template]:
        spans = _T2_SPANS[len(heads)]
        rows.append((Cell(article, colspan=4),))
        rows.append(
            (Cell("信息内容"), *(Cell(_wrap(h, wrap), colspan=s) for h, s in zip(heads, spans, strict=True)))
        )
        for label, item in items:
            values = (
                replace(_value(gt, ("active_disclosure", item, col)), colspan=s)
                for col, s in zip(columns, spans, strict=True)
            )
            rows.append((Cell(printed_label(gt, label)), *values))
    return Table("二", tuple(rows), ncols=4, widths=(4.5, 3.7, 3.7, 3.7))


def table_2_items(table: Table) -> list[Table]:
    """Table 二 as one small table per 第二十条 item (quirk 17)."""
    starts = [r for r, row in enumerate(table.rows) if row[0].text.startswith("第二十条")]
    bounds = [*starts, len(table.rows)]
    return [replace(table, rows=table.rows[a:b]) for a, b in itertools.pairwise(bounds)]


# --------------------------------------------------------------------------------------------
# Table 三
# --------------------------------------------------------------------------------------------

_T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_T3_LEGAL = ("商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他")


def table_3(gt: GroundTruth, *, wrap: bool, rng: random.Random | None = None) -> Table:
    """25 rows (2021) or 23 rows (2019) × 7 value columns under a 3-row header; the row labels come
    from the codebook ("三、本年度办理结果/（三）不予公开/1.属于国家秘密") and their spans from
    runs of equal prefixes. `rng` adds the seed's stray leading blank paragraphs in value cells."""
    header = (
        (Cell(_T3_NOTE, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)),
        (Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)),
        tuple(Cell(_wrap(h, wrap)) for h in _T3_LEGAL),
    )
    codebook = load_codebook(gt.template)
    items = codebook.items("requests")
    levels = {item: codebook.cell(("requests", item, "total")).item_label.split("/") for item in items}
    rows: list[tuple[Cell, ...]] = []
    for i, item in enumerate(items):
        path = levels[item]
        labels: list[Cell] = []
        for depth, text in enumerate(path):
            if i > 0 and levels[items[i - 1]][: depth + 1] == path[: depth + 1]:
                continue  # covered by the span of the row above
            run = 1
            while i + run < len(items) and levels[items[i + run]][: depth + 1] == path[: depth + 1]:
                run += 1
            colspan = 3 - depth if depth == len(path) - 1 else 1
            labels.append(Cell(printed_label(gt, text), rowspan=run, colspan=colspan))
        lead = _lead_blanks(rng)
        values = tuple(_value(gt, ("requests", item, col), lead[j]) for j, col in enumerate(REQUEST_COLUMNS))
        rows.append((*labels, *values))
    widths = (1.1, 1.7, 4.0, *[1.25] * 7)
    return Table("三", (*header, *rows), ncols=10, widths=widths, header_rows=3)


def _lead_blanks(rng: random.Random | None) -> list[int]:
    """Per row of table 三: no blank paragraphs, one before every value, or one before the total."""
    if rng is None:
        return [0] * 7
    draw = rng.random()
    if draw < 0.2:
        return [1] * 7
    if draw < 0.28:
        return [0] * 6 + [rng.choice((1, 2))]
    return [0] * 7


# --------------------------------------------------------------------------------------------
# Table 四
# --------------------------------------------------------------------------------------------


def table_4(gt: GroundTruth, *, wrap: bool) -> Table:
    parts = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")
    # The seed wraps every head except the first 结果维持 of 行政复议.
    review_heads = (parts[0].replace("\n", ""), *parts[1:])
    rows = (
        (Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)),
        (
            *(Cell(_wrap(h, wrap), rowspan=2) for h in review_heads),
            Cell("未经复议直接起诉", colspan=5),
            Cell("复议后起诉", colspan=5),
        ),
        tuple(Cell(_wrap(h, wrap)) for h in parts * 2),
        tuple(
            _value(gt, ("review_litigation", item, col)) for item in REVIEW_ITEMS for col in REVIEW_COLUMNS
        ),
    )
    return Table("四", rows, ncols=15, widths=(1.04,) * 15, header_rows=3)


def _wrap(text: str, wrap: bool) -> str:
    return text if wrap else text.replace("\n", "")


def build_tables(
    gt: GroundTruth, *, wrap: bool, rng: random.Random | None = None
) -> tuple[Table, Table, Table]:
    return table_2(gt, wrap=wrap), table_3(gt, wrap=wrap, rng=rng), table_4(gt, wrap=wrap)
