"""A report laid out on pages as positioned text runs and ruling lines, the drawing the PDF and OFD
writers (`pdf_writer`, `ofd_writer`) serialise.

The layout is what WPS and Word produce and what the parser's page geometry has to undo: A4
pages with 公文 margins, prose wrapped at the right margin, tables ruled cell by cell with their
labels wrapped inside the cell at a tight leading (the lines of a two-line label closer than a
font height apart), and, with `vertical_labels`, the narrow first column of table 三 (the rowspan
label 三、本年度办理结果) set vertically, one character under the other.

Coordinates are top-down PDF points (1/72 inch) from the page's top-left corner; a run's (x, y)
is the top-left corner of its first character's em box. Every character is one em wide and one em
high except ASCII, half an em wide (`advance`): the writers declare exactly these widths.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .document import HEADING, PAGE_BREAK, PARA, SIGN, SUBHEADING, TABLE, TITLE, build_document, default_rng
from .tables import LABEL, Slot, Table, layout, vertical_label
from .truth import GroundTruth

CM = 72 / 2.54
A4 = (21 * CM, 29.7 * CM)
# GB/T 9704 公文 margins: top, right, bottom, left.
MARGINS = (3.7 * CM, 2.6 * CM, 3.5 * CM, 2.8 * CM)
BODY_SIZE = 12.0
TITLE_SIZE = 18.0
BODY_LEADING = 1.5  # line pitch of prose in ems
CELL_PAD = 2.5  # points between a cell's border and its text
RULE_WIDTH = 0.5


@dataclass(frozen=True)
class Run:
    """Characters set from (x, y) on, left to right, or top to bottom when `vertical`."""

    text: str
    x: float
    y: float
    size: float
    vertical: bool = False

    def box(self) -> tuple[float, float, float, float]:
        """x0, top, x1, bottom of the whole run."""
        if self.vertical:
            return self.x, self.y, self.x + self.size, self.y + self.size * len(self.text)
        return self.x, self.y, self.x + self.size * sum(advance(c) for c in self.text), self.y + self.size


@dataclass(frozen=True)
class Rule:
    """A stroked straight line from (x0, y0) to (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def advance(ch: str) -> float:
    """A character's advance in ems: ASCII half-width, everything else full-width."""
    return 0.5 if ch.isascii() else 1.0


def wrap(text: str, width: float, size: float) -> list[str]:
    """Text broken into lines no wider than `width` (CJK breaks anywhere), keeping its own "\n"."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            w = advance(ch) * size
            if line and used + w > width + 1e-6:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


def _text_width(text: str, size: float) -> float:
    return sum(advance(c) for c in text) * size


@dataclass(frozen=True)
class Style:
    """How the tables are set: WPS's vertical label column, the leading of wrapped cell lines."""

    vertical_labels: bool = True
    cell_leading: float = 0.92  # line pitch inside cells, in ems: tighter than the font is high


class _Flow:
    """Pages filled from the top; a block that does not fit starts a new page."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.y = 0.0
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page(*A4))
        self.y = MARGINS[0]

    def room(self) -> float:
        return A4[1] - MARGINS[2] - self.y

    def reserve(self, height: float) -> float:
        if height > self.room() and self.y > MARGINS[0]:
            self.new_page()
        top = self.y
        self.y += height
        return top


def layout_report(
    gt: GroundTruth, style: Style | None = None, *, rng: random.Random | None = None
) -> list[Page]:
    """The report's pages: the document blocks of `build_document` set in order."""
    style = style or Style()
    flow = _Flow()
    left, right = MARGINS[3], A4[0] - MARGINS[1]
    for block in build_document(gt, rng or default_rng(gt), quirks=True):
        if block.kind == TITLE:
            for line in block.text.split("\n"):
                top = flow.reserve(TITLE_SIZE * 1.6)
                x = (A4[0] - _text_width(line, TITLE_SIZE)) / 2
                flow.page.runs.append(Run(line, x, top, TITLE_SIZE))
            flow.reserve(BODY_SIZE)
        elif block.kind in (HEADING, SUBHEADING, PARA):
            indent = 2 * BODY_SIZE
            lines = wrap(" " * 4 + block.text, right - left, BODY_SIZE)
            for line in lines:
                top = flow.reserve(BODY_SIZE * BODY_LEADING)
                x = left + (indent if line.startswith("    ") else 0)
                flow.page.runs.append(Run(line.strip(" "), x, top, BODY_SIZE))
        elif block.kind == SIGN:
            top = flow.reserve(BODY_SIZE * BODY_LEADING)
            flow.page.runs.append(Run(block.text, right - _text_width(block.text, BODY_SIZE), top, BODY_SIZE))
        elif block.kind == PAGE_BREAK:
            flow.new_page()
        elif block.kind == TABLE and block.table is not None:
            _table(flow, block.table, style)
    return flow.pages


def _vertical(slot: Slot, table: Table, style: Style) -> bool:
    return style.vertical_labels and vertical_label(slot, table)


def _table(flow: _Flow, table: Table, style: Style) -> None:
    size = 9.0 if table.ncols > 10 else 10.5
    pitch = size * style.cell_leading
    grid = layout(table)
    xs = [MARGINS[3]]
    for width in table.widths:
        xs.append(xs[-1] + width * CM)
    origins = [(r, c, s) for r, row in enumerate(grid) for c, s in enumerate(row) if (s.row, s.col) == (r, c)]

    def lines_of(r: int, c: int, slot: Slot) -> list[str]:
        inner = xs[c + slot.cell.colspan] - xs[c] - 2 * CELL_PAD
        return wrap(slot.cell.text, inner, size) if slot.cell.text else []

    def needed(r: int, c: int, slot: Slot) -> float:
        if _vertical(slot, table, style):
            return size * len(slot.cell.text) + 2 * CELL_PAD
        return max(1, len(lines_of(r, c, slot))) * pitch + (size - pitch) + 2 * CELL_PAD + 2

    heights = [size + 2 * CELL_PAD + 2] * len(grid)
    for r, c, slot in sorted(origins, key=lambda o: o[2].cell.rowspan):
        rows = range(r, r + slot.cell.rowspan)
        short = needed(r, c, slot) - sum(heights[k] for k in rows)
        if short > 0:
            heights[rows[-1]] += short
    top = flow.reserve(sum(heights))
    ys = [top]
    for height in heights:
        ys.append(ys[-1] + height)
    page = flow.page
    for r, c, slot in origins:
        x0, x1 = xs[c], xs[c + slot.cell.colspan]
        y0, y1 = ys[r], ys[r + slot.cell.rowspan]
        _cell_borders(page, grid, r, c, slot, xs, ys)
        if not slot.cell.text:
            continue
        if _vertical(slot, table, style):
            text = slot.cell.text.replace("\n", "")
            page.runs.append(Run(text, (x0 + x1 - size) / 2, (y0 + y1 - size * len(text)) / 2, size, True))
            continue
        lines = lines_of(r, c, slot)
        block = (len(lines) - 1) * pitch + size
        y = (y0 + y1 - block) / 2
        for line in lines:
            if line:
                x = (
                    x0 + CELL_PAD
                    if slot.cell.kind == LABEL and len(lines) > 1
                    else (x0 + x1 - _text_width(line, size)) / 2
                )
                page.runs.append(Run(line, x, y, size))
            y += pitch


def _cell_borders(
    page: Page, grid: list[list[Slot]], r: int, c: int, slot: Slot, xs: list[float], ys: list[float]
) -> None:
    """A cell's top and left borders (and bottom and right at the table's edges), each drawn once."""
    x0, x1 = xs[c], xs[c + slot.cell.colspan]
    y0, y1 = ys[r], ys[r + slot.cell.rowspan]
    page.rules.append(Rule(x0, y0, x1, y0))
    page.rules.append(Rule(x0, y0, x0, y1))
    if r + slot.cell.rowspan == len(grid):
        page.rules.append(Rule(x0, y1, x1, y1))
    if c + slot.cell.colspan == len(grid[0]):
        page.rules.append(Rule(x1, y0, x1, y1))
