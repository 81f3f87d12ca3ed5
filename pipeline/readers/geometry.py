"""Page geometry shared by every reader of laid-out pages (PDF, OFD, OCR'd images).

A page is characters with their boxes (`Ink`) and ruling segments (`Ruling`). Tables are rebuilt
from geometry, never from text order: connected ruling lines make a lattice, a missing border
between two unit cells makes a span, and every character goes to the cell its centre falls in.
Inside a cell, characters are grouped into lines by their vertical extent (a line is a run of
characters that share a baseline band and do not overlap one another), so a two-line label set
with tight leading is two lines, not the characters of both interleaved; a narrow cell holding a
column of single characters is vertical text and reads top to bottom as one label. Paragraphs
outside tables are lines joined where they run to the right margin. Tables cut by page breaks
are joined again (`join_page_breaks`).

Coordinates are top-down throughout (y grows down the page), in the reader's unit (PDF points,
OFD millimetres, image pixels); tolerances are passed in that unit.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from pipeline.grid import GridCell, TableGrid
from pipeline.numbers import is_value_like, label_key
from pipeline.readers import Document

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True)
class Ink:
    """A piece of text with its box: one character of a text layer, or one OCR'd character."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float = 1.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Ruling:
    """Horizontal segments (y, x0, x1) and vertical segments (x, y0, y1) of a page."""

    horizontal: list[tuple[float, float, float]] = field(default_factory=list)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass
class Lattice:
    """A ruled table: its column and row boundaries and, per unit cell, the cell it belongs to."""

    xs: list[float]
    ys: list[float]
    origin: dict[tuple[int, int], tuple[int, int]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def locate(self, x: float, y: float) -> tuple[int, int] | None:
        """The cell (its origin) containing a point, or None outside the table."""
        c, r = bisect_right(self.xs, x) - 1, bisect_right(self.ys, y) - 1
        if 0 <= r < len(self.ys) - 1 and 0 <= c < len(self.xs) - 1:
            return self.origin[(r, c)]
        return None


@dataclass
class Block:
    """A table or a paragraph of a page, placed by its top edge for reading order."""

    top: float
    bottom: float
    text: str = ""
    grid: TableGrid | None = None
    confidence: dict[tuple[int, int], float] = field(default_factory=dict)  # grid cell origin -> score
    xs: tuple[float, ...] = ()  # column boundaries of a table, to join a table split by a page break
    ocr: bool = False  # read from an image
    # Table cells (by origin) whose text runs to their right border: wrapped, it may go on below.
    wrapped: set[tuple[int, int]] = field(default_factory=set)
    flush: bool = False  # a paragraph starting at the left margin (not indented: it may continue one)
    open_end: bool = False  # a paragraph whose last line runs to the right margin (it may continue)


# ---------------------------------------------------------------------------------------------
# The lattice: ruling lines -> tables
# ---------------------------------------------------------------------------------------------


def _cluster(values: Iterable[float], tol: float) -> list[float]:
    """Sorted values merged into groups no wider than `tol` apart, each replaced by its mean."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, a: object) -> object:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: object, b: object) -> None:
        self.parent[self.find(a)] = self.find(b)


def _covered(intervals: list[tuple[float, float]], lo: float, hi: float) -> bool:
    """True when a border is drawn along [lo, hi]: at least half of its inner part is covered.

    Only the inner part counts: line ends (and a scan's thick strokes) reach a little past the
    lines they meet, and must not draw a border into a short neighbouring row or column.
    """
    margin = 0.2 * (hi - lo)
    inner_lo, inner_hi = lo + margin, hi - margin
    covered = sum(max(0.0, min(inner_hi, b) - max(inner_lo, a)) for a, b in intervals)
    return covered >= 0.5 * (inner_hi - inner_lo)


def ruled_tables(ruling: Ruling, tol: float) -> list[Lattice]:
    """Tables from ruling segments: connected groups of crossing lines, cells from drawn borders.

    A border missing between two unit cells merges them, which is how spans are recovered.
    """
    uf = _UnionFind()
    hs, vs = ruling.horizontal, ruling.vertical
    for i, (y, x0, x1) in enumerate(hs):
        uf.find(("h", i))
        for j, (x, y0, y1) in enumerate(vs):
            if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol:
                uf.union(("h", i), ("v", j))
    groups: dict[object, tuple[list[int], list[int]]] = {}
    for i in range(len(hs)):
        groups.setdefault(uf.find(("h", i)), ([], []))[0].append(i)
    for j in range(len(vs)):
        if ("v", j) in uf.parent:
            groups.setdefault(uf.find(("v", j)), ([], []))[1].append(j)
    tables = []
    for h_ids, v_ids in groups.values():
        lattice = _lattice([hs[i] for i in h_ids], [vs[j] for j in v_ids], tol)
        if lattice is not None:
            tables.append(lattice)
    return sorted(tables, key=lambda t: t.ys[0])


def _lattice(
    hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]], tol: float
) -> Lattice | None:
    ys, xs = _cluster((h[0] for h in hs), tol), _cluster((v[0] for v in vs), tol)
    if len(ys) < 2 or len(xs) < 3:
        # A framed paragraph or a rule under a heading, not a table. One row of several cells
        # is kept: it is what a page break leaves of a table's last row.
        return None
    h_at: dict[int, list[tuple[float, float]]] = {}
    v_at: dict[int, list[tuple[float, float]]] = {}
    for y, x0, x1 in hs:
        h_at.setdefault(min(range(len(ys)), key=lambda k: abs(ys[k] - y)), []).append((x0, x1))
    for x, y0, y1 in vs:
        v_at.setdefault(min(range(len(xs)), key=lambda k: abs(xs[k] - x)), []).append((y0, y1))
    uf = _UnionFind()
    rows, cols = len(ys) - 1, len(xs) - 1
    for r in range(rows):
        for c in range(cols):
            uf.find((r, c))
            if c + 1 < cols and not _covered(v_at.get(c + 1, []), ys[r], ys[r + 1]):
                uf.union((r, c), (r, c + 1))
            if r + 1 < rows and not _covered(h_at.get(r + 1, []), xs[c], xs[c + 1]):
                uf.union((r, c), (r + 1, c))
    regions: dict[object, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            regions.setdefault(uf.find((r, c)), []).append((r, c))
    origin = {}
    for units in regions.values():
        top_left = (min(u[0] for u in units), min(u[1] for u in units))
        origin.update(dict.fromkeys(units, top_left))
    return Lattice(xs, ys, origin)


# ---------------------------------------------------------------------------------------------
# Text: characters -> lines -> paragraphs and cells
# ---------------------------------------------------------------------------------------------


def _lines(inks: list[Ink]) -> list[list[Ink]]:
    """Characters grouped into lines, each line left to right.

    A character joins the line whose vertical centre is nearest its own, within half a character
    height (punctuation boxes are small and sit off-centre: measured against the line's typical
    height, not the tallest box), and only where it does not overlap a character already on that
    line: with tight leading the boxes of two lines overlap, and their characters would otherwise
    be merged and interleaved.
    """
    lines: list[list[Ink]] = []
    centres: list[float] = []
    sizes: list[float] = []  # a line's character height, outliers (an untransformed box) aside
    for ink in sorted(inks, key=lambda i: (i.cy, i.x0)):
        cy, height = (ink.top + ink.bottom) / 2, ink.bottom - ink.top
        best, distance = -1, 0.0
        # Only the last few lines can still take a character (they are sorted by centre).
        for k in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            d = abs(cy - centres[k])
            if d > 0.5 * max(min(height, 2 * sizes[k]), sizes[k]) or (best >= 0 and d >= distance):
                continue
            if any(_overlap(ink, other) for other in lines[k][-3:]):
                continue
            best, distance = k, d
        if best < 0:
            lines.append([ink])
            centres.append(cy)
            sizes.append(height)
            continue
        line = lines[best]
        line.append(ink)
        centres[best] += (cy - centres[best]) / len(line)
        if height <= 2 * sizes[best]:
            sizes[best] = max(sizes[best], height)
    ordered = sorted(zip(centres, lines, strict=True), key=lambda pair: pair[0])
    return [sorted(line, key=lambda i: i.x0) for _, line in ordered]


def _overlap(a: Ink, b: Ink) -> bool:
    """Two characters side by side overlap by more than a quarter of their width: not one line."""
    return a.x0 < b.x1 - 0.25 * b.width and b.x0 < a.x1 - 0.25 * a.width


def _is_column(lines: list[list[Ink]]) -> bool:
    """Vertical text: lines of one character each, stacked in one column (三、本年度办理结果)."""
    if len(lines) < 3 or any(len(line) != 1 for line in lines):
        return False
    inks = [line[0] for line in lines]
    width = max(i.width for i in inks)
    return max(i.cx for i in inks) - min(i.cx for i in inks) <= 0.5 * width


def cell_text(lines: list[list[Ink]]) -> str:
    """A cell's text: its lines joined by newlines; vertical text read top to bottom as one line."""
    if _is_column(lines):
        return "".join(line[0].text for line in lines)
    return "\n".join(_line_text(line) for line in lines)


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()  # False for "" (ink OCR could not read)


def _line_text(line: list[Ink]) -> str:
    """A line's characters joined; wide gaps (a column gap) become two spaces, as in plain text."""
    out = [line[0].text]
    for prev, ink in itertools.pairwise(line):
        gap, size = ink.x0 - prev.x1, max(prev.height, ink.height)
        if gap > 1.5 * size:
            out.append("  ")
        elif gap > 0.3 * size and _ascii_word(prev.text[-1:]) and _ascii_word(ink.text[:1]):
            out.append(" ")
        out.append(ink.text)
    return "".join(out)


def _paragraphs(lines: list[list[Ink]]) -> list[Block]:
    """Lines joined into paragraphs: a line that runs to the right margin continues on the next,
    unless the next is indented (a new paragraph) — CJK lines wrap mid-sentence."""
    if not lines:
        return []
    left = min(line[0].x0 for line in lines)
    right = max(line[-1].x1 for line in lines)
    out: list[Block] = []
    for line in lines:
        size = statistics.median(i.height for i in line)
        text = _line_text(line)
        top, bottom = min(i.top for i in line), max(i.bottom for i in line)
        flush = line[0].x0 <= left + size
        if out and out[-1].open_end and flush:
            _continue(out[-1], text, bottom)
        else:
            out.append(Block(top, bottom, text=text, flush=flush))
        out[-1].open_end = line[-1].x1 >= right - 2 * size
    return out


def _continue(block: Block, text: str, bottom: float) -> None:
    sep = " " if _ascii_word(block.text[-1:]) and _ascii_word(text[:1]) else ""
    block.text += sep + text
    block.bottom = bottom


def page_blocks(inks: list[Ink], tables: list[Lattice]) -> list[Block]:
    """A page (or an image) as tables and paragraphs in reading order (top to bottom)."""
    cell_inks: list[dict[tuple[int, int], list[Ink]]] = [{} for _ in tables]
    prose: list[Ink] = []
    for ink in inks:
        for t, table in enumerate(tables):
            origin = table.locate(ink.cx, ink.cy)
            if origin is not None:
                cell_inks[t].setdefault(origin, []).append(ink)
                break
        else:
            prose.append(ink)
    blocks = [_table_block(t, cells) for t, cells in zip(tables, cell_inks, strict=True)]
    blocks += _paragraphs(_lines(prose))
    return sorted(blocks, key=lambda b: b.top)


def _table_block(table: Lattice, cells: dict[tuple[int, int], list[Ink]]) -> Block:
    lines = {o: _lines(inks) for o, inks in cells.items()}
    texts = {o: cell_text(cell) for o, cell in lines.items()}
    confidence = {o: min(i.confidence for i in inks) for o, inks in cells.items()}
    right = {o: table.xs[max(c for (r, c), origin in table.origin.items() if origin == o) + 1] for o in cells}
    # Wrapped: the last line ends within two characters of the cell's right border (the cell's
    # padding and the spacing of the characters: a third would have fitted on the line).
    wrapped = {o: (c := cell[-1][-1]).x1 >= right[o] - 2 * (c.x1 - c.x0) for o, cell in lines.items()}
    rows = [
        [
            GridCell(texts.get(table.origin[(r, c)], ""), table.origin[(r, c)])
            for c in range(len(table.xs) - 1)
        ]
        for r in range(len(table.ys) - 1)
    ]
    _, top, _, bottom = table.bbox
    grid = TableGrid(rows=rows, aligned=True)
    return Block(
        top,
        bottom,
        grid=grid,
        confidence=confidence,
        xs=tuple(table.xs),
        wrapped={o for o, w in wrapped.items() if w},
    )


def join_page_breaks(blocks: list[Block], page_starts: set[int], tol: float) -> list[Block]:
    """Join what a page break cut: a paragraph running on at the top of the next page, and a table
    continued there (its column borders among those of the table it continues).

    Header rows the continuation repeats are dropped, a row broken across the pages is made whole,
    and a label cell cut by the break (left empty at the top of the continuation) is reattached
    to the cell it continues.
    """
    out: list[Block] = []
    for i, block in enumerate(blocks):
        prev = out[-1] if out and i in page_starts else None
        if prev is not None and prev.grid is None and block.grid is None and prev.open_end and block.flush:
            _continue(prev, block.text, block.bottom)
            prev.open_end = block.open_end
        elif prev is not None and prev.grid is not None and block.grid is not None:
            # Either part may lack inner borders the other has (rows spanning columns there).
            xs = prev.xs if len(prev.xs) >= len(block.xs) else block.xs
            slack = tol * (_SCAN_SLACK if prev.ocr or block.ocr else 1)
            head, tail = _fit(prev, xs, slack), _fit(block, xs, slack)
            if head is None or tail is None:
                out.append(block)
            else:
                _append_rows(head, tail)
                out[-1] = head
        else:
            out.append(block)
    return out


def _column_map(xs: tuple[float, ...], own: tuple[float, ...], tol: float) -> list[int] | None:
    """Index in `xs` of each of a table's own column borders, or None if one is not among them
    (or the outer borders differ: then it is another table). Compared from the left border: a
    scanned page sits a little further left or right than the one before."""
    index = []
    for x in own:
        near = [k for k, border in enumerate(xs) if abs((border - xs[0]) - (x - own[0])) <= 2 * tol]
        if not near:
            return None
        index.append(near[0])
    if index[0] != 0 or index[-1] != len(xs) - 1:
        return None
    return index


def _fit(block: Block, xs: tuple[float, ...], tol: float) -> Block | None:
    """A table laid out on the column borders `xs` (a superset of its own), or None."""
    if block.xs == xs:
        return block
    borders = _column_map(xs, block.xs, tol)
    return None if borders is None else _regrid(block, borders, xs)


def _regrid(block: Block, borders: list[int], xs: tuple[float, ...]) -> Block:
    """A table laid out on finer columns: each cell spans the new columns it covers."""
    assert block.grid is not None
    width = len(xs) - 1
    column_of = [next(c for c in range(len(borders) - 1) if borders[c + 1] > j) for j in range(width)]
    rows = [
        [
            GridCell(
                row[column_of[j]].text, (row[column_of[j]].origin[0], borders[row[column_of[j]].origin[1]])
            )
            for j in range(width)
        ]
        for row in block.grid.rows
    ]
    confidence = {(r, borders[c]): score for (r, c), score in block.confidence.items()}
    wrapped = {(r, borders[c]) for r, c in block.wrapped}
    grid = TableGrid(rows=rows)
    return Block(
        block.top, block.bottom, grid=grid, confidence=confidence, xs=xs, ocr=block.ocr, wrapped=wrapped
    )


def _append_rows(head: Block, tail: Block) -> None:
    assert head.grid is not None and tail.grid is not None
    above, below = head.grid.rows, tail.grid.rows
    first = 0
    while first < min(len(above), len(below)) and _same_row(below[first], above[first]):
        first += 1  # a header row the continuation repeats
    if first < len(below) and _finishes_row(above[-1], below[first], head.wrapped):
        _extend_cells(above, above[-1], below[first])
        first += 1
    offset = len(above) - first
    last = above[-1]
    # Origins of the continuation -> origins in the joined grid (cut label cells rejoin their top).
    moved: dict[tuple[int, int], tuple[int, int]] = {}
    for row in below[first:]:
        for c, cell in enumerate(row):
            if cell.origin not in moved:
                cut = (
                    cell.origin[0] == first
                    and not cell.text
                    and last[c].text
                    and not is_value_like(last[c].text)
                )
                moved[cell.origin] = last[c].origin if cut else (cell.origin[0] + offset, cell.origin[1])
        above.append(
            [
                GridCell(
                    last[c].text if moved[cell.origin] == last[c].origin else cell.text, moved[cell.origin]
                )
                for c, cell in enumerate(row)
            ]
        )
    for origin, score in tail.confidence.items():
        if origin in moved:
            head.confidence[moved[origin]] = score
    head.bottom = tail.bottom


# Scans are shifted, stretched and skewed a little differently on every page.
_SCAN_SLACK = 3
_ITEM_START = re.compile(r"\s*([(（]?[一二三四五六七八九十\d]+[)）、.．,，])")


def _finishes_row(last: list[GridCell], row: list[GridCell], wrapped: set[tuple[int, int]]) -> bool:
    """Word lets a row break across pages: the next page then starts with the rest of its cells.

    Recognised by what a new row would not look like: no cell starts a numbered item; label text
    only below a label that wrapped (ran to its cell's border); values only below empty cells;
    and something left to finish (a value above with nothing below it, or values below).
    """
    pairs = list(zip(last, row, strict=False))
    if not any(cell.text for _, cell in pairs) or any(_ITEM_START.match(c.text) for _, c in pairs if c.text):
        return False
    for prev, cell in pairs:
        if not cell.text:
            continue
        if is_value_like(cell.text) and prev.text:
            return False  # a value under a value or under a column head: a new row
        if not is_value_like(cell.text) and prev.origin not in wrapped:
            return False  # a label under a label that was complete: a new row
    values_above = any(prev.text and is_value_like(prev.text) and not cell.text for prev, cell in pairs)
    return values_above or any(cell.text and is_value_like(cell.text) for _, cell in pairs)


def _extend_cells(rows: list[list[GridCell]], last: list[GridCell], rest: list[GridCell]) -> None:
    """Append the rest of a broken row's cells to their text, in every copy of each cell."""
    added = {prev.origin: cell.text for prev, cell in zip(last, rest, strict=False) if cell.text}
    for r, row in enumerate(rows):
        rows[r] = [
            GridCell(f"{cell.text}\n{added[cell.origin]}".strip(), cell.origin)
            if cell.origin in added
            else cell
            for cell in row
        ]


def _same_row(a: list[GridCell], b: list[GridCell]) -> bool:
    """The same row printed twice (OCR may read a repeated header a little differently)."""
    first, second = ("|".join(label_key(c.text) for c in row) for row in (a, b))
    return first == second or SequenceMatcher(None, first, second).ratio() >= 0.9


# ---------------------------------------------------------------------------------------------
# Pages -> documents
# ---------------------------------------------------------------------------------------------


@dataclass
class OcrGrid(TableGrid):
    """A grid read by OCR: `confidence` holds each cell's score by cell origin (0 = ink not read)."""

    confidence: dict[tuple[int, int], float] = field(default_factory=dict)


def add_segment(ruling: Ruling, x0: float, top: float, x1: float, bottom: float, thin: float) -> None:
    """A drawn rectangle or line as a ruling segment, when it is a line (thinner than `thin`)."""
    w, h = x1 - x0, bottom - top
    if w >= h and w > thin:
        ruling.horizontal.append(((top + bottom) / 2, x0, x1))
    elif h > w and h > thin:
        ruling.vertical.append(((x0 + x1) / 2, top, bottom))


_FOLIO = re.compile(r"^[-—－\s]*(第\s*)?\d{1,3}(\s*页)?(\s*[/／共]\s*\d{1,3}\s*页?)?[-—－\s]*$")


def without_folios(blocks: list[Block], height: float) -> list[Block]:
    """A page's blocks in reading order without its page number in the top or bottom margin
    (it would read as a stray value between tables)."""

    def folio(block: Block) -> bool:
        in_margin = block.top > 0.88 * height or block.bottom < 0.08 * height
        return block.grid is None and in_margin and bool(_FOLIO.match(block.text))

    return sorted((b for b in blocks if not folio(b)), key=lambda b: b.top)


# A page is a scan when it has fewer readable characters than this and an image covering it.
SCAN_MAX_CHARS = 20
SCAN_MIN_IMAGE_SHARE = 0.3


def plausible(ch: str) -> bool:
    """A character a Chinese report is made of (not a private-use or control code point)."""
    return unicodedata.category(ch)[0] in "LNP" and not ("\ue000" <= ch <= "\uf8ff")


def scanned_page(inks: list[Ink], images: list[Box], width: float, height: float) -> bool:
    """A page to OCR whole: a scan (an image covering it, next to no text), or a text layer of
    unmapped glyphs (fonts without a Unicode map)."""
    readable = sum(1 for i in inks if plausible(i.text))
    big_image = any((b[2] - b[0]) * (b[3] - b[1]) >= SCAN_MIN_IMAGE_SHARE * width * height for b in images)
    return (readable < SCAN_MAX_CHARS and big_image) or bool(inks and readable < 0.5 * len(inks))


def inside_any(box: Box, tables: list[Block]) -> bool:
    return any(t.top - 1 <= box[1] and box[3] <= t.bottom + 1 for t in tables)


def has_text(box: Box, inks: list[Ink]) -> bool:
    return any(box[0] <= i.cx <= box[2] and box[1] <= i.cy <= box[3] for i in inks)


def document_from_blocks(fmt: str, blocks: list[Block], metadata: dict[str, str]) -> Document:
    """The Document of a sequence of blocks; grids carrying OCR scores become `OcrGrid`s."""
    tables: list[TableGrid] = []
    lines: list[str] = []
    for block in blocks:
        if block.grid is None:
            lines.append(block.text)
            continue
        grid = block.grid
        if block.ocr:
            grid = OcrGrid(rows=grid.rows, aligned=True, confidence=dict(block.confidence))
        grid.source = f"table {len(tables) + 1}"
        tables.append(grid)
        lines.append(grid.render())
    return Document(format=fmt, text="\n".join(lines), tables=tables, metadata=metadata)
