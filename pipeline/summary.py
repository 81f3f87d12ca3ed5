"""Human-readable renderings of a parsed report: metadata, the tables as aligned text, failed checks."""

from __future__ import annotations

import unicodedata

from pipeline.report import KIND_MISSING, Fact, Report
from pipeline.templates.registry import ERAS


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def format_value(fact: Fact) -> str:
    if fact.kind == KIND_MISSING:
        return "?"
    if fact.value is None:
        shown = {"empty": "", "not_applicable": "/"}.get(fact.kind, fact.raw)
        return f"({fact.imputed_value:g})" if fact.imputed_value is not None else shown or "·"
    return f"{fact.value:g}" if isinstance(fact.value, float) else str(fact.value)


def fact_tables(report: Report) -> str:
    """The template's tables, one line per item, values in codebook column order."""
    if not report.template or not report.facts:
        return ""
    era = ERAS[report.template]
    codebook = era.codebook
    by_key = {f.key: f for f in report.facts}
    blocks = []
    for section, title in ((s.code, s.description_zh) for s in era.sections):
        items = codebook.items(section)
        if not items:
            continue
        rows: list[tuple[str, list[str]]] = []
        for item in items:
            specs = [c for c in codebook.cells if c.section == section and c.item == item]
            label = specs[0].item_label.split("/")[-1]
            cells = [
                f"{c.column_label.split('/')[-1]}={format_value(by_key[c.key])}"
                if section == "active_disclosure"
                else format_value(by_key[c.key])
                for c in specs
            ]
            rows.append((label, cells))
        label_width = min(max(display_width(label) for label, _ in rows), 40)
        lines = [title]
        if section == "requests":
            head = ["自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"]
            lines.append(pad("", label_width) + "  " + "  ".join(pad(h, 8, right=True) for h in head))
        if section == "review_litigation":
            head = ["维持", "纠正", "其他", "未审结", "总计"]
            lines.append(pad("", label_width) + "  " + "  ".join(pad(h, 8, right=True) for h in head))
        for label, cells in rows:
            short = label if display_width(label) <= label_width else label[: label_width // 2 - 1] + "…"
            width = 0 if section == "active_disclosure" else 8
            lines.append(pad(short, label_width) + "  " + "  ".join(pad(c, width, right=True) for c in cells))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def report_summary(report: Report) -> str:
    lines = [f"== {report.source}", f"{'status:':<13}{report.status}"]
    if report.error:
        lines.append(f"{'error:':<13}{report.error}")
    for name in ("title", "year", "agency", "agency_full", "template"):
        value = getattr(report, name)
        if value is not None:
            lines.append(f"{name + ':':<13}{value}")
    if report.facts:
        n_missing = sum(f.kind == KIND_MISSING for f in report.facts)
        lines.append(f"cells:       {len(report.facts) - n_missing} of {len(report.facts)} found")
        lines.append("")
        lines.append(fact_tables(report))
    failed = [c for c in report.checks if not c.ok]
    if report.checks:
        lines.append("")
        lines.append(f"checks:      {len(report.checks) - len(failed)} of {len(report.checks)} passed")
        lines.extend(f"  FAILED {c.rule} {c.detail}" for c in failed)
    lines.extend(f"warning:     {w}" for w in report.warnings)
    return "\n".join(lines) + "\n"
