"""What a build did, and the table `print_build_summary` shows: reports per year and agency,
failed checks, files written, and where everything is."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pipeline.datasets.documents import Document
from pipeline.datasets.grouping import ReportGroup
from pipeline.datasets.schema import TABLES
from pipeline.report import STATUS_OK
from pipeline.summary import display_width, pad


@dataclass(frozen=True)
class ReportLine:
    year: int
    agency_id: str
    agency_name: str
    status: str
    checks_failed: tuple[str, ...]


@dataclass
class BuildSummary:
    out: Path
    documents: Counter[str] = field(default_factory=Counter)  # by parse status
    roles: Counter[str] = field(default_factory=Counter)  # primary / duplicate / superseded / none
    reports: list[ReportLine] = field(default_factory=list)
    unresolved_agencies: int = 0
    parquet_files: Counter[str] = field(default_factory=Counter)  # written / unchanged / deleted
    text_files: Counter[str] = field(default_factory=Counter)
    scope: tuple[str, ...] | None = None  # the agencies updated; None for all


def summarize(
    out: Path,
    documents: list[Document],
    groups: list[ReportGroup],
    parquet_files: Counter[str],
    text_files: Counter[str],
    only_agencies: set[str] | None,
) -> BuildSummary:
    summary = BuildSummary(out, parquet_files=parquet_files, text_files=text_files)
    summary.scope = None if only_agencies is None else tuple(sorted(only_agencies))
    for doc in documents:
        assert doc.parsed is not None
        summary.documents[doc.parsed.status] += 1
        summary.roles[doc.role or "none"] += 1
    summary.reports = [_line(g) for g in groups]
    summary.unresolved_agencies = len(
        {d.agency_id for d in documents if d.identity and not d.identity.resolved}
    )
    return summary


def _line(group: ReportGroup) -> ReportLine:
    primary = group.primary
    assert primary.parsed is not None and primary.identity is not None
    return ReportLine(
        group.year,
        group.agency_id,
        primary.identity.agency_name,
        primary.parsed.status,
        tuple(primary.parsed.checks_failed),
    )


def print_build_summary(summary: BuildSummary, file: TextIO | None = None, max_agencies: int = 30) -> None:
    (file or sys.stdout).write(format_build_summary(summary, max_agencies=max_agencies))


def format_build_summary(summary: BuildSummary, *, max_agencies: int = 30) -> str:
    years = sorted({r.year for r in summary.reports})
    agencies = {r.agency_id for r in summary.reports}
    failed = sum(bool(r.checks_failed) for r in summary.reports)
    lines = [
        f"Datasets built in {summary.out}"
        + (f" (updated agencies: {', '.join(summary.scope)})" if summary.scope is not None else ""),
        f"  documents  {sum(summary.documents.values())}: {_counts(summary.documents)}",
        f"  roles      {_counts(summary.roles)}",
        f"  reports    {len(summary.reports)} from {len(agencies)} agencies; {failed} with failed checks"
        + (f"; {summary.unresolved_agencies} agencies unresolved" if summary.unresolved_agencies else ""),
        "",
        *_year_table(summary, years),
        "",
        *_agency_table(summary, years, max_agencies),
        *_rule_lines(summary),
        f"  files      parquet {_counts(summary.parquet_files)}; text {_counts(summary.text_files)}",
        "",
        *_where(summary.out),
    ]
    return "\n".join(lines) + "\n"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counter.items())) or "none"


def _year_table(summary: BuildSummary, years: list[int]) -> list[str]:
    head = f"  {'year':<6}{'reports':>9}{'ok':>7}{'partial':>9}{'checks failed':>15}"
    rows = []
    for year in years:
        lines = [r for r in summary.reports if r.year == year]
        ok = sum(r.status == STATUS_OK for r in lines)
        bad = sum(bool(r.checks_failed) for r in lines)
        rows.append(f"  {year:<6}{len(lines):>9}{ok:>7}{len(lines) - ok:>9}{bad:>15}")
    return [head, *rows]


def _agency_table(summary: BuildSummary, years: list[int], max_agencies: int) -> list[str]:
    """One line per agency: each year's status (ok, part = partial), `!` when a check failed."""
    by_agency: dict[str, dict[int, ReportLine]] = {}
    names: dict[str, str] = {}
    for r in summary.reports:
        by_agency.setdefault(r.agency_id, {})[r.year] = r
        names[r.agency_id] = r.agency_name
    if not by_agency:
        return []
    shown = sorted(by_agency)[:max_agencies]
    width = min(max(display_width(f"{names[a]} {a}") for a in shown), 60)
    lines = ["  " + pad("agency", width) + "".join(f"{y:>7}" for y in years)]
    for agency_id in shown:
        cells = [_cell(by_agency[agency_id].get(y)) for y in years]
        lines.append("  " + pad(f"{names[agency_id]} {agency_id}", width) + "".join(f"{c:>7}" for c in cells))
    if len(by_agency) > len(shown):
        lines.append(
            f"  … and {len(by_agency) - len(shown)} more agencies (see reports in the parquet folder)"
        )
    return [*lines, ""]


def _cell(line: ReportLine | None) -> str:
    if line is None:
        return "-"
    status = "ok" if line.status == STATUS_OK else "part"
    return status + ("!" if line.checks_failed else "")


def _rule_lines(summary: BuildSummary) -> list[str]:
    rules = Counter(rule for r in summary.reports for rule in r.checks_failed)
    if not rules:
        return []
    return ["  checks failed (reports):", *(f"    {rule:<28}{n:>6}" for rule, n in rules.most_common()), ""]


def _where(out: Path) -> list[str]:
    parquet, text = out / "parquet", out / "text"
    return [
        f'  tables     {parquet}/{{{",".join(TABLES)}}}   pd.read_parquet("{parquet}/facts")',
        f"  codebook   {parquet}/datapackage.json, {parquet}/cells.csv, docs/codebook.md",
        f"  text       {text}/YYYY/<agency_id>/<report_id>.txt   nianbao grep PATTERN --out {out}",
        f"  originals  {out}/archive/raw/ (paths in the raw_path columns)",
        f"  browse     nianbao serve --out {out}   nianbao compare AGENCY --out {out}",
    ]
