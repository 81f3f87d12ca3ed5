"""parse_report: stored bytes of one published document -> a Report in the canonical schema.

The crawl, `nianbao parse`, `nianbao reparse` and the tests all go through this one function.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipeline.limits import BudgetExceeded
from pipeline.matcher import MatchedCell, flattened_text_grid
from pipeline.metadata import read_metadata
from pipeline.readers import Document, UnreadableDocument, detect_format
from pipeline.readers.dispatch import reader_for
from pipeline.report import (
    KIND_EMPTY,
    KIND_MISSING,
    STATUS_FAILED,
    STATUS_NOT_REPORT,
    STATUS_OK,
    STATUS_PARTIAL,
    Fact,
    Report,
)
from pipeline.templates.era import TemplateEra
from pipeline.templates.registry import ERAS, UNIDENTIFIED, detect_template

PARSER_VERSION = "2"  # bumped when parsing changes, so caches and `nianbao reparse` redo it

_MONEY_FACTORS = {"元": 1 / 10000, "万元": 1, "亿元": 10000}


def parse_report(
    data: bytes,
    filename: str | None = None,
    url: str | None = None,
    content_type: str | None = None,
    images: Mapping[str, bytes] | None = None,
) -> Report:
    """Parse one document. Never raises on bad input: a failure is a Report with status failed.

    ``content_type`` and ``filename`` are recorded but do not decide the format: servers and
    links lie about both, so the format is read from the bytes. ``images`` are the stored bytes
    of the pictures an HTML page shows, keyed by their ``src`` (as written, or resolved against
    ``url``): tables published as images are OCR'd into the page's tables.
    """
    report = Report(source=filename or url or "<bytes>")
    try:
        _parse(report, data, content_type, url, images)
    except BudgetExceeded as exc:  # a reader stopped before work a budget forbids
        return _failed(report, str(exc))
    except Exception as exc:  # the one entry point: no document may stop its caller
        return _failed(report, f"{type(exc).__name__}: {exc}")
    return report


def _failed(partial: Report, error: str) -> Report:
    """The report of a document that could not be parsed: nothing half-filled, a one-line error."""
    report = Report(source=partial.source, status=STATUS_FAILED)
    report.source_format = partial.source_format
    report.error = " ".join(error.split())[:500] or "parse failed"
    return report


def _parse(
    report: Report, data: bytes, content_type: str | None, url: str | None, images: Mapping[str, bytes] | None
) -> None:
    fmt = detect_format(data)
    report.source_format = fmt
    reader = reader_for(fmt)
    if reader is None:
        report.error = _unsupported(fmt, content_type)
        return
    try:
        document = reader(data)
    except UnreadableDocument as exc:
        report.error = str(exc)
        return
    if fmt == "html" and (images is not None or re.search(rb"<img", data, re.I)):
        from pipeline.readers.ocr import add_page_images

        report.warnings.extend(add_page_images(document, data, url, images))
    _fill(report, document)


def _unsupported(fmt: str, content_type: str | None) -> str:
    if fmt == "empty":
        return "empty document: no bytes to parse"
    served = f" (served as {content_type})" if content_type else ""
    return f"unsupported format: {fmt}{served}"


def _fill(report: Report, document: Document) -> None:
    """Metadata, then for every era the same sequence: match -> facts -> checks -> evidence -> status."""
    report.text = document.text
    report.metadata = dict(document.metadata)
    template, evidence = detect_template(document.tables)
    if template is None:  # tables that lost their markup still carry their labels in the text
        template, evidence = detect_template([flattened_text_grid(document.text)])
    meta = read_metadata(document.text, document.metadata, has_tables=template is not None)
    report.title, report.year = meta.title, meta.year
    report.agency, report.agency_full = meta.agency, meta.agency_full
    report.warnings.extend(meta.warnings)
    if not meta.is_report:
        report.status = STATUS_NOT_REPORT
        return
    report.template_evidence = evidence
    era = ERAS[template or UNIDENTIFIED]
    matched = era.match(document)
    warnings: list[str] = []
    while len(matched.cells) < era.min_cells:
        if era.fallback is None:
            _add_warnings(report, [*warnings, *matched.warnings])
            report.status = STATUS_PARTIAL
            report.warnings.append("no_tables: no statistical table of a known template was found")
            return
        warnings += [
            *matched.warnings,
            f"template_unmatched: only {len(matched.cells)} cells of the {era.name} template; "
            f"read as {era.fallback}",
        ]
        era = ERAS[era.fallback]
        matched = era.match(document)
    _add_warnings(report, [*warnings, *matched.warnings])
    report.template = era.name
    report.template_evidence = era.template_evidence(evidence, matched)
    report.facts = _facts(matched.cells, era, report.warnings)
    report.checks = era.check({f.key: f for f in report.facts})
    if "ocr_pages" in document.metadata or "ocr_images" in document.metadata:
        from pipeline.ocr_evidence import apply_ocr_evidence

        positions = {key: cell.position for key, cell in matched.cells.items()}
        apply_ocr_evidence(report, document.tables, positions, era.rule_cells())
    report.status = _status(report)


def _add_warnings(report: Report, warnings: list[str]) -> None:
    """The matcher's warnings, each once."""
    report.warnings.extend(w for w in dict.fromkeys(warnings) if w not in report.warnings)


def _facts(
    cells: dict[tuple[str, str, str], MatchedCell], era: TemplateEra, warnings: list[str]
) -> list[Fact]:
    """One fact per codebook cell, in codebook order: missing where nothing was matched."""
    facts = []
    for key, spec in zip(era.codebook.keys, era.codebook.cells, strict=True):
        section, item, column = key
        matched = cells.get(key)
        if matched is None:
            facts.append(Fact(section, item, column, None, KIND_MISSING, "", spec.unit))
            continue
        published = matched.cell
        value = published.value
        if value is not None:
            value = _in_unit(value, published.unit, spec.unit, key, warnings)
        facts.append(
            Fact(section, item, column, value, published.kind, matched.raw, spec.unit, matched.raw_label)
        )
    return facts


def _in_unit(value: float, written: str, unit: str, key: tuple[str, str, str], warnings: list[str]) -> float:
    if unit == "cny_10k":
        factor = _MONEY_FACTORS.get(written, 1)
        if factor != 1:
            warnings.append(f"unit_converted: {'/'.join(key)} published in {written}, converted to 万元")
            return round(value * factor, 6)
        return float(value)
    if unit == "count" and isinstance(value, float):
        if value.is_integer():
            return int(value)
        warnings.append(f"non_integer_count: {'/'.join(key)} = {value}")
    return value


def _status(report: Report) -> str:
    sections: dict[str, list[Fact]] = {}
    for fact in report.facts:
        sections.setdefault(fact.section, []).append(fact)
    complete = True
    for section, facts in sections.items():
        kinds = {f.kind for f in facts}
        if kinds <= {KIND_MISSING}:
            report.warnings.append(f"table_missing: {section}")
            complete = False
        elif kinds <= {KIND_EMPTY, KIND_MISSING}:
            report.warnings.append(f"table_not_reported: {section} was published blank")
            complete = False
        elif KIND_MISSING in kinds:
            missing = sum(f.kind == KIND_MISSING for f in facts)
            report.warnings.append(f"cells_missing: {missing} of {len(facts)} in {section}")
            complete = False
    return STATUS_OK if complete else STATUS_PARTIAL


__all__ = ["PARSER_VERSION", "STATUS_FAILED", "parse_report"]
