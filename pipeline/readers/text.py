"""Plain text, as extracted from DOCX by Tika-style tools (the seed): table cells on tab-indented lines."""

from __future__ import annotations

import re

from pipeline.grid import TableGrid
from pipeline.numbers import is_value_like
from pipeline.readers import Document, UnreadableDocument
from pipeline.readers.encoding import decode_text

# Residue of DOCX extraction that is not part of the report (quirk 15).
_RESIDUE = re.compile(r"\[bookmark:[^\]]*\]")


def read_text(data: bytes) -> Document:
    text, _encoding = decode_text(data)
    text = _RESIDUE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise UnreadableDocument("empty text document")
    tables, flow = _split_tables(text.split("\n"))
    return Document(format="text", text=flow, tables=tables)


def _split_tables(lines: list[str]) -> tuple[list[TableGrid], str]:
    """Group tab-indented lines into rows (rows end at blank lines) and rows into tables.

    A line without a tab continues the previous cell when nothing separates them (a second
    paragraph: "商业" / "企业"), or when it is a lone value after blank lines that follows an
    empty cell (a number pushed down by empty paragraphs: "\\t" "" "0" in the seed).
    """
    tables: list[TableGrid] = []
    flow: list[str] = []
    rows: list[list[str]] = []
    blank_before = False

    def close_table() -> None:
        if rows:
            grid = TableGrid.from_rows(
                [r for r in rows if r], aligned=False, source=f"text table {len(tables) + 1}"
            )
            tables.append(grid)
            flow.append(grid.render())
            rows.clear()

    for line in lines:
        if not line.strip() and "\t" not in line:  # a lone tab is an empty cell, not a blank line
            blank_before = True
            if rows and rows[-1]:
                rows.append([])  # a blank line ends the row; empty rows are dropped on close
            continue
        if line.startswith("\t"):
            if not rows:
                rows.append([])
            rows[-1].append(line.strip())
        elif rows and _continues_cell(rows, line, blank_before):
            cells = rows[-1] or rows[-2]
            cells[-1] = f"{cells[-1]}\n{line.strip()}".strip()
            if not rows[-1]:
                rows.pop()  # the blank lines were inside the cell, not between rows
        else:
            close_table()
            flow.append(line.strip())
        blank_before = False
    close_table()
    return tables, "\n".join(flow)


def _continues_cell(rows: list[list[str]], line: str, blank_before: bool) -> bool:
    cells = rows[-1] or (rows[-2] if len(rows) > 1 else [])
    if not cells:
        return False
    last = cells[-1].strip()
    if not last:
        # An empty cell takes a value pushed down by empty paragraphs, or a short label line.
        return is_value_like(line) if blank_before else len(line.strip()) <= 30
    if blank_before:
        return False
    return not is_value_like(last)
