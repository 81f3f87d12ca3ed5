"""OCR evidence on facts: each fact read from an OCR'd cell gets that cell's score, and the cells
of a rule that fails after OCR are flagged (one of them was misread; none is guessed).

Its input is narrow: the document's grids (OCR'd ones carry a score per cell origin,
`geometry.OcrGrid`), the report's facts and checks, and the cells each rule covers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pipeline.grid import GridCell, TableGrid
from pipeline.matcher import MatchResult
from pipeline.numbers import read_cell
from pipeline.readers.geometry import OcrGrid
from pipeline.report import KIND_EMPTY, KIND_MISSING, KIND_NOT_APPLICABLE, KIND_NUMBER, Fact, Report

Key = tuple[str, str, str]
Matcher = Callable[[list[TableGrid]], MatchResult]  # grids -> cells by key, with the cell text

# A fact read by OCR below this score is reported as low confidence.
LOW_CONFIDENCE = 0.9
# Confidence given to cells of a rule that fails after OCR: one of them was misread.
FAILED_RULE_CONFIDENCE = 0.5
_TOKEN_BASE = 987_000_000


def trace_confidence(grids: list[TableGrid], match: Matcher) -> dict[Key, float]:
    """The OCR score of every fact that came from an OCR'd cell.

    The matcher returns the text of the cell each key came from, not its position, and a "0" is
    not unique. So the grids are matched a second time with each OCR'd value cell replaced by a
    unique number of the same kind; the text a key then receives names its cell. Only rows holding
    a value are rewritten, and only value-like cells, so the matcher takes the same path.
    """
    scores: dict[str, float] = {}
    traced: list[TableGrid] = []
    for grid in grids:
        if isinstance(grid, OcrGrid):
            traced.append(_tokenised(grid, scores))
        else:
            traced.append(grid)
    if not scores:
        return {}
    return {key: scores[cell.raw] for key, cell in match(traced).cells.items() if cell.raw in scores}


def _tokenised(grid: OcrGrid, scores: dict[str, float]) -> TableGrid:
    tokens: dict[tuple[int, int], str] = {}
    rows = []
    for row in grid.rows:
        kinds = [read_cell(c.text).kind for c in row]
        has_value = any(k in (KIND_NUMBER, KIND_NOT_APPLICABLE) for k in kinds)
        new_row = []
        for cell, kind in zip(row, kinds, strict=True):
            if has_value and kind in (KIND_NUMBER, KIND_EMPTY, KIND_NOT_APPLICABLE):
                if cell.origin not in tokens:
                    tokens[cell.origin] = str(_TOKEN_BASE + len(scores))
                    scores[tokens[cell.origin]] = grid.confidence.get(cell.origin, 0.0 if cell.text else 1.0)
                new_row.append(GridCell(tokens[cell.origin], cell.origin))
            else:
                new_row.append(cell)
        rows.append(new_row)
    return TableGrid(rows=rows, aligned=grid.aligned, source=grid.source)


def apply_ocr_evidence(
    report: Report,
    grids: list[TableGrid],
    match: Matcher,
    rule_cells: Mapping[tuple[str, str], list[Key]],
) -> None:
    """Mark facts read by OCR (method, confidence) and flag the doubtful ones.

    `rule_cells` lists the cells of each rule scope ((rule, scope) -> keys): a rule that fails
    after OCR means one of its cells was misread, so all of them are flagged rather than guessed.
    """
    ocr_grids = [g for g in grids if isinstance(g, OcrGrid)]
    if not ocr_grids:
        return
    confidence = trace_confidence(grids, match)
    only_ocr = len(ocr_grids) == len(grids)
    reasons: dict[Key, str] = {}
    for fact in report.facts:
        if fact.key in confidence:
            fact.method, fact.confidence = "ocr", round(confidence[fact.key], 4)
        elif only_ocr and fact.kind != KIND_MISSING:
            fact.method, fact.confidence = "ocr", 0.0  # recovered from OCR'd text: no cell score
            reasons[fact.key] = "read from OCR text, no cell score"
    for check in report.checks:
        if check.ok:
            continue
        for key in rule_cells.get((check.rule, check.scope), []):
            reasons.setdefault(key, f"rule {check.rule} {check.scope} fails")
    for fact in report.facts:
        if fact.method != "ocr":
            continue
        reason = reasons.get(fact.key)
        if reason and reason.startswith("rule"):
            fact.confidence = min(fact.confidence or 0.0, FAILED_RULE_CONFIDENCE)
        elif fact.confidence is not None and fact.confidence < LOW_CONFIDENCE:
            reason = reason or f"OCR score {fact.confidence:.2f}"
        if reason:
            report.warnings.append(f"ocr_low_confidence: {'/'.join(fact.key)} ({reason})")


def low_confidence(fact: Fact) -> bool:
    """A fact a researcher should check by eye: OCR'd with a low score or in a failed rule."""
    return fact.method == "ocr" and (fact.confidence is None or fact.confidence < LOW_CONFIDENCE)
