"""OCR evidence on facts: each fact read from an OCR'd cell gets that cell's score, and the cells
of a rule that fails after OCR are flagged (one of them was misread; none is guessed).

Its input is narrow: the document's grids (OCR'd ones carry a score per cell origin,
`geometry.OcrGrid`), where each fact was read (the matched cell's grid position, kept by the
matcher: no second match), the report's facts and checks, and the cells each rule covers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.grid import TableGrid
from pipeline.matcher import GridPosition, Key
from pipeline.readers.geometry import OcrGrid
from pipeline.report import KIND_MISSING, Fact, Report

# A fact read by OCR below this score is reported as low confidence.
LOW_CONFIDENCE = 0.9
# Confidence given to cells of a rule that fails after OCR: one of them was misread.
FAILED_RULE_CONFIDENCE = 0.5


def cell_scores(grids: Sequence[TableGrid]) -> dict[GridPosition, float]:
    """The OCR score of every cell of the OCR'd grids, by position (grid index, cell origin). A
    cell OCR left without a score is 0 when it holds text, 1 when blank (nothing to misread)."""
    scores: dict[GridPosition, float] = {}
    for table, grid in enumerate(grids):
        if not isinstance(grid, OcrGrid):
            continue
        for row in grid.rows:
            for cell in row:
                default = 0.0 if cell.text else 1.0
                scores[GridPosition(table, *cell.origin)] = grid.confidence.get(cell.origin, default)
    return scores


def apply_ocr_evidence(
    report: Report,
    grids: Sequence[TableGrid],
    positions: Mapping[Key, GridPosition | None],
    rule_cells: Mapping[tuple[str, str], list[Key]],
) -> None:
    """Mark facts read by OCR (method, confidence) and flag the doubtful ones.

    `positions` says where each fact was read (the matched cell's grid position; None for the
    text fallback and prose): its score is that cell's. `rule_cells` lists the cells of each rule
    scope ((rule, scope) -> keys): a rule that fails after OCR means one of its cells was
    misread, so all of them are flagged rather than guessed.
    """
    ocr_grids = [g for g in grids if isinstance(g, OcrGrid)]
    if not ocr_grids:
        return
    scores = cell_scores(grids)
    confidence = {key: scores[at] for key, at in positions.items() if at is not None and at in scores}
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
