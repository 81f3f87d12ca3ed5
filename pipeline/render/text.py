"""Plain text in the layout of the seed (text extracted from a DOCX by a Tika-style reader)."""

from __future__ import annotations

import random

from .document import PAGE_BREAK, PARA, TABLE, TITLE, Block, build_document, default_rng
from .tables import Table, layout
from .truth import GroundTruth


def table_lines(table: Table) -> list[str]:
    """One tab-indented line per cell, a blank line after each row and one more after the table.

    A vertically merged cell appears again, empty, in every row it covers (as Word's
    vMerge-continued cells do); a horizontally merged cell appears once.
    """
    lines: list[str] = []
    for r, row in enumerate(layout(table)):
        c = 0
        while c < table.ncols:
            slot = row[c]
            text = "\n" * slot.cell.lead_blank + slot.cell.text if slot.row == r else ""
            lines.append(f"\t{text}")
            c = slot.col + slot.cell.colspan
        lines.append("")
    lines.append("")
    return lines


def _block_lines(block: Block) -> list[str]:
    if block.kind == TITLE:
        return [*block.text.split("\n"), ""]
    if block.kind == TABLE and block.table is not None:
        return table_lines(block.table)
    if block.kind == PAGE_BREAK:
        return []
    if block.kind == PARA and block.bookmark:
        return [f"[bookmark: _GoBack]{block.text}"]
    return [block.text]


def render_text(gt: GroundTruth, *, rng: random.Random | None = None) -> bytes:
    rng = rng or default_rng(gt)
    blocks = build_document(gt, rng, quirks=True)
    lines = [line for b in blocks for line in _block_lines(b)]
    if rng.random() < 0.8:
        lines.append(str(rng.randint(1, 4)))  # the footer's page number (quirk 15)
    return ("\n".join(lines) + "\n").encode("utf-8")
