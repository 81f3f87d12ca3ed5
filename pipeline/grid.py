"""The one table model every reader produces: a grid of cells with spans expanded."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import limits


@dataclass(frozen=True, slots=True)
class GridCell:
    text: str
    origin: tuple[int, int]  # (row, col) of the top-left cell of the span this cell belongs to

    def is_copy_at(self, row: int, col: int) -> bool:
        return self.origin != (row, col)


@dataclass
class TableGrid:
    """A table as rows of cells.

    ``aligned`` grids (HTML, DOCX, XLSX, PDF) have spans expanded: a cell spanning two columns
    appears twice with the same ``origin``, so column indices line up across rows. Flattened grids
    (tables recovered from plain text) only know each row's cells in reading order.
    """

    rows: list[list[GridCell]] = field(default_factory=list)
    aligned: bool = True
    source: str = ""  # where in the document: "table 3", "sheet 表1", "text" …

    @classmethod
    def from_spans(cls, spans: list[list[tuple[str, int, int]]], source: str = "") -> TableGrid:
        """Build an aligned grid from rows of (text, rowspan, colspan) as markup gives them.

        Spans are clamped to GRID_MAX_SPAN (as browsers clamp colspan); a table whose expanded
        area would pass GRID_MAX_CELLS raises BudgetExceeded before it is built."""
        # Row lists grown as cells arrive (None: a position no cell has reached yet), not a dict
        # keyed by position: the dict and a throwaway blank per position were most of the cost.
        taken: list[list[GridCell | None]] = [[] for _ in spans]
        filled = 0
        for r, row in enumerate(spans):
            line = taken[r]
            c = 0
            for text, rowspan, colspan in row:
                while c < len(line) and line[c] is not None:  # positions taken by rowspans from above
                    c += 1
                cell = GridCell(text, (r, c))
                if rowspan == colspan == 1:  # most cells: no span to clamp or expand
                    if filled >= limits.GRID_MAX_CELLS:
                        check_cells(filled + 1)
                    if c == len(line):
                        line.append(cell)
                    else:
                        line[c] = cell
                    filled += 1
                    c += 1
                    continue
                rowspan, colspan = clamp_span(rowspan), clamp_span(colspan)
                check_cells(filled + rowspan * colspan)
                taken.extend([] for _ in range(r + rowspan - len(taken)))
                for below in taken[r : r + rowspan]:
                    if len(below) < c + colspan:
                        below.extend([None] * (c + colspan - len(below)))
                    for col in range(c, c + colspan):
                        if below[col] is None:
                            below[col] = cell
                            filled += 1
                c += colspan
        # A row list only grows to hold a cell, so its length is where its last cell ends.
        n_rows = max((r + 1 for r, line in enumerate(taken) if line), default=0)
        width = max(map(len, taken), default=0)
        check_cells(n_rows * width)
        rows = []
        for r, line in enumerate(taken[:n_rows]):
            if len(line) < width:
                line.extend([None] * (width - len(line)))
            rows.append([GridCell("", (r, c)) if cell is None else cell for c, cell in enumerate(line)])
        return cls(rows=rows, aligned=True, source=source)

    @classmethod
    def from_rows(cls, rows: list[list[str]], *, aligned: bool, source: str = "") -> TableGrid:
        """Build a grid of plain cells, one origin per cell."""
        return cls(
            rows=[[GridCell(text, (r, c)) for c, text in enumerate(row)] for r, row in enumerate(rows)],
            aligned=aligned,
            source=source,
        )

    def texts(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.rows]

    def render(self) -> str:
        """Rows as aligned text lines (span copies shown once), for summaries and the text archive."""
        lines = []
        for r, row in enumerate(self.rows):
            cells = [" ".join(cell.text.split()) for c, cell in enumerate(row) if not cell.is_copy_at(r, c)]
            if any(cells):
                lines.append(" | ".join(cells))
        return "\n".join(lines)


def clamp_span(span: int) -> int:
    """A declared row or column span within 1..GRID_MAX_SPAN."""
    return min(max(span, 1), limits.GRID_MAX_SPAN)


def check_cells(cells: int) -> None:
    """Raise BudgetExceeded before a table of `cells` expanded cells is built."""
    if cells > limits.GRID_MAX_CELLS:
        raise limits.BudgetExceeded("GRID_MAX_CELLS", cells, limits.GRID_MAX_CELLS)
