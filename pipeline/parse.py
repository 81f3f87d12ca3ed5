"""parse_report: stored bytes of one published document -> a Report in the canonical schema.

The crawl, `nianbao parse`, `nianbao reparse` and the tests all go through this one function.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial

from pipeline.checks import impute_zeros, run_checks
from pipeline.codebook import PRE_2019_FILES, load_codebook
from pipeline.grid import TableGrid
from pipeline.legacy import fill_pre2019
from pipeline.matcher import MatchedCell, match_grids
from pipeline.metadata import read_metadata
from pipeline.numbers import label_key, read_cell
from pipeline.readers import Document, UnreadableDocument, detect_format, reader_for
from pipeline.report import (
    KIND_EMPTY,
    KIND_MISSING,
    KIND_NOT_APPLICABLE,
    KIND_NUMBER,
    STATUS_FAILED,
    STATUS_NOT_REPORT,
    STATUS_OK,
    STATUS_PARTIAL,
    Fact,
    Report,
)

PARSER_VERSION = "1"

# Labels that only one template era has (which of them matched is kept as evidence).
_TEMPLATE_EVIDENCE: dict[str, tuple[str, ...]] = {
    "2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "本年处理决定数量",
        "不补正",
        "缴纳费用",
    ),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "政府集中采购",
        "其他对外管理服务事项",
    ),
    "2014": ("统计指标", "主动公开政府信息数", "收到申请数", "申请答复数", "举报投诉数量"),
    # Local pre-2014 附表 (pipeline/legacy.py): their column heads.
    "legacy": ("指标名称", "计量单位", "本期实际", "本年累计", "历年累计"),
}
_OTHER_HANDLING = re.compile(r"(\([六6]\))?其他处理")
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
    fmt = detect_format(data)
    report.source_format = fmt
    reader = reader_for(fmt)
    if reader is None:
        report.error = _unsupported(fmt, content_type)
        return report
    try:
        document = reader(data)
    except UnreadableDocument as exc:
        report.error = str(exc)
        return report
    if fmt == "html" and (images is not None or re.search(rb"<img", data, re.I)):
        from pipeline.readers.ocr import add_page_images

        report.warnings.extend(add_page_images(document, data, url, images))
    _fill(report, document)
    return report


def _unsupported(fmt: str, content_type: str | None) -> str:
    if fmt == "empty":
        return "empty document: no bytes to parse"
    served = f" (served as {content_type})" if content_type else ""
    return f"unsupported format: {fmt}{served}"


def _fill(report: Report, document: Document) -> None:
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
    report.template, report.template_evidence = template, evidence
    if template is None or template in PRE_2019_FILES:
        fill_pre2019(report, document, _facts)  # the 2014 table, or legacy 附表 and prose
        if report.facts:
            report.status = _status(report)
        return
    matched = match_grids(document.tables, template)
    report.warnings.extend(matched.warnings)
    cells = matched.cells
    if len(cells) < len(load_codebook(template).cells):
        fallback = match_grids([flattened_text_grid(document.text)], template)
        for key, cell in fallback.cells.items():
            cells.setdefault(key, cell)
    report.facts = _facts(cells, template, report.warnings)
    facts = {f.key: f for f in report.facts}
    impute_zeros(facts, template)
    report.checks, _skipped = run_checks(facts, template)
    if "ocr_pages" in document.metadata or "ocr_images" in document.metadata:
        from pipeline.readers.ocr import apply_ocr_evidence, template_rule_cells

        match = partial(match_grids, template=template)
        apply_ocr_evidence(report, document.tables, match, template_rule_cells(template))
    report.status = _status(report)


def detect_template(grids: list[TableGrid]) -> tuple[str | None, list[str]]:
    """The template era from the labels the tables carry, never from the year or a cited notice."""
    keys = {label_key(cell.text) for grid in grids for row in grid.rows for cell in row if cell.text.strip()}
    joined = "\n".join(keys)
    found = {
        template: [label for label in labels if label_key(label) in joined]
        for template, labels in _TEMPLATE_EVIDENCE.items()
    }
    if _single_other_handling(grids):
        found["2019"].append("(六)其他处理 as one row")
    best = max(found, key=lambda t: len(found[t]))
    if found[best]:
        return best, found[best]
    if any(re.search(r"申请人情况|自然人|复议后起诉|直接起诉", k) for k in keys):
        return "2021", ["tables 三/四 only (identical in both eras): assumed 2021"]
    return None, []


def _single_other_handling(grids: list[TableGrid]) -> bool:
    """2019's （六）其他处理 is a row of its own with values; in 2021 it only heads three sub-rows."""
    for grid in grids:
        for row in grid.rows:
            texts = [c.text for c in row]
            for i, text in enumerate(texts):
                if _OTHER_HANDLING.fullmatch(label_key(text)):
                    rest = [t for t in texts[i + 1 :] if t != text]
                    if rest and all(read_cell(t).kind in (KIND_NUMBER, KIND_EMPTY) for t in rest):
                        return True
    return False


def flattened_text_grid(text: str) -> TableGrid:
    """The text fallback: tables that lost their markup, read as label/number sequences."""
    rows: list[list[str]] = []
    current: list[str] = []
    previous_was_value = False
    for line in text.splitlines():
        for token in re.split(r"\s*\|\s*|\t+|\s{2,}", line.strip()):
            if not token:
                continue
            value_like = read_cell(token).kind in (KIND_NUMBER, KIND_NOT_APPLICABLE)
            if not value_like and previous_was_value:
                rows.append(current)
                current = []
            current.append(token)
            previous_was_value = value_like
    rows.append(current)
    return TableGrid.from_rows([r for r in rows if r], aligned=False, source="text fallback")


def _facts(cells: dict[tuple[str, str, str], MatchedCell], template: str, warnings: list[str]) -> list[Fact]:
    facts = []
    for spec in load_codebook(template).cells:
        matched = cells.get(spec.key)
        if matched is None:
            facts.append(Fact(*spec.key, value=None, kind=KIND_MISSING, raw="", unit=spec.unit))
            continue
        value = matched.cell.value
        if value is not None:
            value = _in_unit(value, matched.cell.unit, spec.unit, "/".join(spec.key), warnings)
        facts.append(
            Fact(
                *spec.key,
                value=value,
                kind=matched.cell.kind,
                raw=matched.raw,
                unit=spec.unit,
                raw_label=matched.raw_label,
            )
        )
    return facts


def _in_unit(value: float, written: str, unit: str, name: str, warnings: list[str]) -> float:
    if unit == "cny_10k":
        factor = _MONEY_FACTORS.get(written, 1)
        if factor != 1:
            warnings.append(f"unit_converted: {name} published in {written}, converted to 万元")
            return round(value * factor, 6)
        return float(value)
    if unit == "count" and isinstance(value, float):
        if value.is_integer():
            return int(value)
        warnings.append(f"non_integer_count: {name} = {value}")
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


__all__ = ["PARSER_VERSION", "STATUS_FAILED", "detect_template", "parse_report"]
