"""The one table model every reader produces: a grid of cells with spans expanded."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import limits


@dataclass(frozen=True)
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
        grid: dict[tuple[int, int], GridCell] = {}
        width = n_rows = 0
        for r, row in enumerate(spans):
            c = 0
            for text, rowspan, colspan in row:
                while (r, c) in grid:  # skip positions taken by rowspans from above
                    c += 1
                cell = GridCell(text, (r, c))
                if rowspan == colspan == 1:  # most cells: no span to clamp or expand
                    width, n_rows = max(width, c + 1), max(n_rows, r + 1)
                    check_cells(len(grid) + 1)
                    grid[r, c] = cell
                    c += 1
                    continue
                rowspan, colspan = clamp_span(rowspan), clamp_span(colspan)
                width, n_rows = max(width, c + colspan), max(n_rows, r + rowspan)
                check_cells(len(grid) + rowspan * colspan)
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid.setdefault((r + dr, c + dc), cell)
                c += colspan
        check_cells(n_rows * width)
        rows = [[grid.get((r, c), GridCell("", (r, c))) for c in range(width)] for r in range(n_rows)]
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
