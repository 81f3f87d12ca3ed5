"""Two years of one agency side by side: the cells that changed, the within-report rules that failed
(`checks`) and the checks across years that failed (`panel_checks`), read from the built tables.

    comparison = compare(out, "230804-gov", years=(2023, 2024))
    print(format_comparison(comparison))
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.codebook import CodebookCell, load_codebook
from pipeline.datasets.layout import read_table
from pipeline.datasets.schema import PANEL_FAIL
from pipeline.report import KIND_NUMBER


class CompareError(ValueError):
    """The agency or the years asked for are not in the datasets (the user's input)."""


@dataclass(frozen=True)
class ReportSide:
    year: int
    report_id: str
    title: str | None
    template: str | None
    published_date: str | None
    url: str | None


@dataclass(frozen=True)
class ChangedCell:
    section: str
    item: str
    column: str
    label: str  # the template's row / column labels
    before: str  # the cell as the datasets hold it: a number, "blank", "/", "missing" …
    after: str
    change: float | None  # after − before when both are numbers


@dataclass(frozen=True)
class FailedCheck:
    year: int
    table: str  # checks | panel_checks
    name: str  # rule or check
    scope: str | None
    detail: str | None


@dataclass
class Comparison:
    agency_id: str
    agency_name: str
    before: ReportSide
    after: ReportSide
    n_compared: int
    changed: list[ChangedCell] = field(default_factory=list)
    failed: list[FailedCheck] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(out: Path, agency: str, years: tuple[int, int] | None = None) -> Comparison:
    """Raises CompareError for an agency or years the datasets do not hold."""
    root = Path(out) / "parquet"
    reports = read_table(root, "reports").to_pylist()
    agency_id = find_agency(reports, agency)
    own = {int(r["year"]): r for r in reports if r["agency_id"] == agency_id}
    first, second = _years(own, agency_id, years)
    cells = _cells(root, [own[first]["report_id"], own[second]["report_id"]], {first, second})
    before, after = _side(own[first]), _side(own[second])
    changed, n_compared = _changed(cells, own[first], own[second])
    latest = own[second]
    return Comparison(
        agency_id=agency_id,
        agency_name=str(latest["agency_name"] or agency_id),
        before=before,
        after=after,
        n_compared=n_compared,
        changed=changed,
        failed=_failed(root, agency_id, {first, second}),
    )


def find_agency(reports: list[dict[str, Any]], query: str) -> str:
    """An agency id, or a name: exact first, then a unique agency whose name contains the query."""
    query = query.strip()
    names = {str(r["agency_id"]): str(r["agency_name"] or "") for r in reports}
    if query in names:
        return query
    exact = sorted({a for a, name in names.items() if name == query})
    partial = sorted({a for a, name in names.items() if query and query in name})
    for found in (exact, partial):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listed = ", ".join(f"{a} ({names[a]})" for a in found[:5])
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            raise CompareError(f"{query!r} matches {len(found)} agencies: {listed}{more}; give an agency_id")
    raise CompareError(f"unknown agency {query!r}: no report's agency_id or agency_name matches it")


def _years(own: dict[int, dict[str, Any]], agency_id: str, years: tuple[int, int] | None) -> tuple[int, int]:
    have = sorted(own)
    listed = ", ".join(map(str, have))
    if years is None:
        if len(have) < 2:
            raise CompareError(f"{agency_id} has one report ({listed}): nothing to compare it with")
        return have[-2], have[-1]
    missing = [y for y in years if y not in own]
    if missing:
        raise CompareError(f"{agency_id} has no report for {', '.join(map(str, missing))} (it has {listed})")
    if years[0] == years[1]:
        raise CompareError(f"--years needs two different years (got {years[0]} twice)")
    first, second = sorted(years)
    return first, second


def _side(report: dict[str, Any]) -> ReportSide:
    published = report["published_date"]
    return ReportSide(
        year=int(report["year"]),
        report_id=str(report["report_id"]),
        title=report["title"],
        template=report["template"],
        published_date=published.isoformat() if published else None,
        url=report["url"],
    )


Cells = dict[str, dict[tuple[str, str, str], dict[str, Any]]]


def _cells(root: Path, report_ids: list[str], years: set[int]) -> Cells:
    facts = read_table(root, "facts", years=years)
    rows = facts.filter(pc.is_in(facts.column("report_id").cast(pa.string()), pa.array(report_ids)))
    out: Cells = {rid: {} for rid in report_ids}
    for row in rows.select(
        ["report_id", "section", "item", "column", "value", "kind", "raw_value"]
    ).to_pylist():
        out[str(row["report_id"])][(str(row["section"]), str(row["item"]), str(row["column"]))] = row
    return out


def _changed(cells: Cells, first: dict[str, Any], second: dict[str, Any]) -> tuple[list[ChangedCell], int]:
    """Cells whose value or kind differ; cells of either template, in the later template's order."""
    a, b = cells[first["report_id"]], cells[second["report_id"]]
    keys = list(dict.fromkeys([*b, *a]))
    changed = []
    for key in keys:
        x, y = a.get(key), b.get(key)
        if _shown(x) == _shown(y):
            continue
        change = None
        if x and y and x["value"] is not None and y["value"] is not None:
            change = float(y["value"]) - float(x["value"])
        label = _label(key, str(second["template"] or ""), str(first["template"] or ""))
        changed.append(ChangedCell(*key, label, _shown(x), _shown(y), change))
    return changed, len(keys)


def _shown(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "—"  # the cell is not in this report's template
    if cell["kind"] == KIND_NUMBER and cell["value"] is not None:
        value = float(cell["value"])
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if cell["kind"] == "text":
        return f"text {cell['raw_value']!r}"
    return str(cell["kind"])  # empty, not_applicable, missing


def _label(key: tuple[str, str, str], *templates: str) -> str:
    for template in templates:
        try:
            cell: CodebookCell = load_codebook(template).cell(key)
        except KeyError:
            continue
        return f"{cell.item_label} / {cell.column_label}"
    return "/".join(key)


def _failed(root: Path, agency_id: str, years: set[int]) -> list[FailedCheck]:
    failed = []
    for table, name, status_ok in (("checks", "rule", None), ("panel_checks", "check", PANEL_FAIL)):
        data = read_table(root, table, years=years)
        data = data.filter(pc.equal(data.column("agency_id").cast(pa.string()), agency_id))
        for row in data.to_pylist():
            failing = (row["status"] == status_ok) if status_ok else row["ok"] is False
            if failing:
                failed.append(
                    FailedCheck(int(row["year"]), table, str(row[name]), row["scope"], row["detail"])
                )
    return sorted(failed, key=lambda f: (f.year, f.table, f.name, f.scope or ""))


def format_comparison(c: Comparison) -> str:
    lines = [f"{c.agency_name} ({c.agency_id})"]
    for side in (c.before, c.after):
        lines.append(
            f"  {side.year}: {side.title or '(no title)'} · template {side.template} · "
            f"published {side.published_date or 'unknown'} · {side.url}"
        )
    lines.append("")
    lines.append(f"changed cells: {len(c.changed)} of {c.n_compared}")
    if c.changed:
        width = max(len(cell.before) for cell in c.changed)
        head = f"  {'cell':<56} {c.before.year:>{width}}  {c.after.year}"
        lines.append(head)
        for cell in c.changed:
            code = f"{cell.section}/{cell.item}/{cell.column}"
            delta = "" if cell.change is None or math.isnan(cell.change) else f"  ({cell.change:+g})"
            lines.append(f"  {code:<56} {cell.before:>{width}}  {cell.after}{delta}    {cell.label}")
    lines.append("")
    lines.append(f"failed checks: {len(c.failed)}")
    for f in c.failed:
        scope = f" [{f.scope}]" if f.scope else ""
        lines.append(f"  {f.year} {f.table}.{f.name}{scope}: {f.detail or ''}")
    return "\n".join(lines) + "\n"
