"""The `panel_checks` table: what evaluators check by hand across an agency's reports, per report
year t against the agency's previous report.

- carry_over: 上年结转 (requests/carried_over) of t = 结转下年度继续办理 (requests/carried_forward)
  of t−1, for each applicant column and the total;
- document_stock: 现行有效件数 (in_force) of t = in_force of t−1 + 本年制发 (issued) − 本年废止
  (repealed), for rules (规章) and normative documents (行政规范性文件); 2021 template only (the
  2019 template's 对外公开总数量 is another concept, codebook-2019.csv);
- timeliness: the publication date against the statutory deadline of the revised 条例 (Art. 49):
  departments by 31 January, a people's government's own report by 31 March; before the 2019
  revision (report years to 2018) every report by 31 March;
- repetition: the share of the report's sentences that appear in the agency's previous report
  (text archive), years masked so that a copy with only its dates changed still counts.

A blank cell that the template's sums prove zero is read through its `imputed_value`; a check
whose input is missing, blank or not comparable is `not_evaluated`, with the reason. The table is
brought up to date at every build from the reports' parse summaries and the text archive: the
rows of the reports whose inputs (or whose previous report) changed are computed again, the
others kept, with the same rows a build from scratch gives. Like the other tables, the kept rows
hold while SCHEMA_VERSION does: bump it when a check's logic changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from pipeline.codebook import REQUEST_COLUMNS
from pipeline.datasets.layout import read_year, replace_year, rows_to_table, without_agencies, years_on_disk
from pipeline.datasets.schema import (
    CHECK_CARRY_OVER,
    CHECK_REPETITION,
    CHECK_STOCK,
    CHECK_TIMELINESS,
    PANEL_CHECKS,
    PANEL_FAIL,
    PANEL_NOT_EVALUATED,
    PANEL_PASS,
)
from pipeline.datasets.text import report_body, text_path
from pipeline.numbers import nfkc
from pipeline.report import Fact

if TYPE_CHECKING:
    from pipeline.datasets.documents import Document
    from pipeline.datasets.grouping import ReportGroup
    from pipeline.datasets.rows import Row
    from pipeline.datasets.summaries import Parsed

# Honest reports keep some boilerplate year to year (about half of it in the generated ones); a
# copy repeats nearly every sentence, and evaluators deduct for it.
REPETITION_LIMIT = 0.8
# Shorter fragments are headings, table labels or page furniture, not sentences.
_MIN_SENTENCE_CHARS = 12
# A sentence ends with its punctuation: page furniture (menus, 当前位置, footers) has none.
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]")
_YEAR_WORD = re.compile(r"(?:19|20)\d{2}")
_SPACES = re.compile(r"[^\S\n]+")
_STOCK_ITEMS = ("rules", "normative_documents")
PANEL_ITEMS = ("carried_over", "carried_forward", *_STOCK_ITEMS)
STOCK_TEMPLATE = "2021"
REVISED_REGULATIONS_FIRST_YEAR = 2019  # reports on 2019 onwards fall under the revised 条例 (Art. 49)

CellKey = tuple[str, str, str, str]  # report_id, section, item, column
PartitionKey = tuple[int, str]  # year, agency_id


@dataclass(frozen=True)
class CellValue:
    value: float | None
    imputed_value: float | None
    kind: str

    @property
    def number(self) -> float | None:
        return self.value if self.value is not None else self.imputed_value


@dataclass(frozen=True)
class ReportInfo:
    report_id: str
    year: int
    agency_id: str
    agency_type: str | None
    template: str | None
    published_date: date | None
    text_path: str | None


def panel_cells(facts: Iterable[Fact]) -> dict[tuple[str, str, str], CellValue]:
    """The cells of a parsed report the checks read (kept with every document's parse summary)."""
    return {f.key: CellValue(f.value, f.imputed_value, f.kind) for f in facts if f.item in PANEL_ITEMS}


def write_panel_checks(
    out: Path, groups: list[ReportGroup], changed: set[PartitionKey] | None = None
) -> Counter[str]:
    """Bring the table up to date with every report of this build (their parse summaries and the
    text archive just written), rewriting only the years whose rows changed; years left without a
    report go. Counts the (table, year) files written and unchanged.

    `changed`: the (year, agency_id) partitions whose inputs differ from the last build's (made,
    remade or gone). A report's rows read only the report and the agency's previous one, so only
    the reports with a changed partition between their previous report's year and their own are
    checked again; every other row is kept from the year files. None: every report is checked
    and nothing on disk is kept (a build without a trusted previous one).
    """
    root = out / "parquet"
    pairs = report_pairs(report_infos(groups))
    if changed is not None:
        changed_years: dict[str, list[int]] = {}
        for year, agency_id in changed:
            changed_years.setdefault(agency_id, []).append(year)
        pairs = [pair for pair in pairs if _stale(*pair, changed_years.get(pair[0].agency_id, []))]
    primaries = {g.report_id: g.primary for g in groups}
    wanted = {r.report_id for pair in pairs for r in pair if r is not None}
    cells = {
        (report_id, *key): cell
        for report_id in wanted
        for key, cell in _parsed(primaries[report_id]).panel_cells.items()
    }
    by_year: dict[int, list[Row]] = {}
    for row in panel_check_rows(pairs, cells, lambda r: _read_text(out, r)):
        by_year.setdefault(row["year"], []).append(row)
    # Per year, the agencies whose rows go: those checked again, and those whose partition changed
    # (a report that is no more leaves no row).
    dropped: dict[int, set[str]] = {}
    for year, agency_id in [(r.year, r.agency_id) for r, _ in pairs] + list(changed or ()):
        dropped.setdefault(year, set()).add(agency_id)
    on_disk = set(years_on_disk(root, PANEL_CHECKS.name))
    years = set(dropped) if changed is not None else set(by_year) | on_disk
    counts: Counter[str] = Counter(unchanged=len(on_disk - years))
    for year in sorted(years):
        table = rows_to_table(PANEL_CHECKS, by_year.get(year, []))
        if changed is not None:
            kept = without_agencies(read_year(root, PANEL_CHECKS, year), dropped[year])
            table = pa.concat_tables([kept, table])
        counts["written" if replace_year(root, PANEL_CHECKS, year, table) else "unchanged"] += 1
    return counts


def _stale(report: ReportInfo, earlier: ReportInfo | None, changed_years: list[int]) -> bool:
    """Whether a report's rows may differ from the last build's: a partition of its agency changed
    in the years from its previous report's to its own (the report, its previous one, or one that
    was added or removed between them; with no previous report, any year up to its own)."""
    first = earlier.year if earlier else None
    return any((first is None or first <= year) and year <= report.year for year in changed_years)


def report_infos(groups: list[ReportGroup]) -> list[ReportInfo]:
    """What the checks read of each report: from its primary document's identity and parse."""
    reports = []
    for group in groups:
        primary = group.primary
        assert primary.identity is not None
        published = primary.published
        reports.append(
            ReportInfo(
                report_id=group.report_id,
                year=group.year,
                agency_id=group.agency_id,
                agency_type=primary.identity.agency_type,
                template=_parsed(primary).template,
                published_date=date.fromisoformat(published) if _is_date(published) else None,
                text_path=text_path(group.year, group.agency_id, group.report_id),
            )
        )
    return reports


def _parsed(document: Document) -> Parsed:
    assert document.parsed is not None, "documents are parsed when loaded"
    return document.parsed


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:  # blank, or a date the site got wrong (2024-02-30)
        return False
    return True


def _read_text(out: Path, report: ReportInfo) -> str | None:
    if not report.text_path:
        return None
    try:
        return report_body((out / report.text_path).read_text(encoding="utf-8"))
    except OSError:
        return None


# --- the checks ------------------------------------------------------------------------------------


def report_pairs(reports: Iterable[ReportInfo]) -> list[tuple[ReportInfo, ReportInfo | None]]:
    """Every report with the same agency's previous report (None for its first), by agency and year."""
    by_agency: dict[str, list[ReportInfo]] = {}
    for report in reports:
        by_agency.setdefault(report.agency_id, []).append(report)
    pairs: list[tuple[ReportInfo, ReportInfo | None]] = []
    for history in by_agency.values():
        history.sort(key=lambda r: r.year)
        pairs += zip(history, [None, *history[:-1]], strict=True)
    return pairs


def panel_check_rows(
    pairs: Iterable[tuple[ReportInfo, ReportInfo | None]],
    cells: dict[CellKey, CellValue],
    text: Callable[[ReportInfo], str | None],
) -> list[Row]:
    """Every check of each report against the agency's previous report (pairs of one agency in a
    row, by year: each text is read once, as the report's own and then as the next one's previous)."""
    rows: list[Row] = []
    for _, agency_pairs in groupby(pairs, key=lambda pair: pair[0].agency_id):
        read = _read_once(text)
        for report, earlier in agency_pairs:
            last_year = earlier if earlier and earlier.year == report.year - 1 else None
            rows += carry_over(report, last_year, cells)
            rows += document_stock(report, last_year, cells)
            rows.append(timeliness(report))
            rows.append(repetition(report, earlier, read))
    return rows


def _read_once(text: Callable[[ReportInfo], str | None]) -> Callable[[ReportInfo], str | None]:
    """`text`, remembered for one agency's history (a build reads each text once, not twice)."""
    seen: dict[str | None, str | None] = {}

    def read(report: ReportInfo) -> str | None:
        if report.text_path not in seen:
            seen[report.text_path] = text(report)
        return seen[report.text_path]

    return read


def _row(
    report: ReportInfo, check: str, scope: str | None, previous: ReportInfo | None, **fields: object
) -> Row:
    row: Row = {
        "report_id": report.report_id,
        "year": report.year,
        "agency_id": report.agency_id,
        "check": check,
        "scope": scope,
        "previous_report_id": previous.report_id if previous else None,
        "expected": None,
        "actual": None,
        "difference": None,
        "inputs": [],
        "detail": None,
    }
    row.update(fields)
    return row


def _compare(expected: float, actual: float) -> dict[str, object]:
    ok = abs(actual - expected) < 1e-9
    return {
        "status": PANEL_PASS if ok else PANEL_FAIL,
        "expected": expected,
        "actual": actual,
        "difference": actual - expected,
    }


def _cell_text(report: ReportInfo, key: tuple[str, str, str], cell: CellValue | None) -> str:
    name = f"{report.year} {'/'.join(key)}"
    if cell is None:
        return f"{name}: missing"
    if cell.value is None and cell.imputed_value is not None:
        return f"{name}: {cell.kind}, proved {_num(cell.imputed_value)}"
    return f"{name}: {_num(cell.value) if cell.value is not None else cell.kind}"


def _num(value: float | None) -> str:
    if value is None:
        return "null"
    return str(int(value)) if float(value).is_integer() else str(value)


def _not_evaluated(
    report: ReportInfo,
    check: str,
    scope: str | None,
    previous: ReportInfo | None,
    why: str,
    inputs: list[str] | None = None,
) -> Row:
    return _row(report, check, scope, previous, status=PANEL_NOT_EVALUATED, detail=why, inputs=inputs or [])


def carry_over(report: ReportInfo, previous: ReportInfo | None, cells: dict[CellKey, CellValue]) -> list[Row]:
    rows = []
    for column in REQUEST_COLUMNS:
        scope = f"column:{column}"
        if previous is None:
            rows.append(
                _not_evaluated(report, CHECK_CARRY_OVER, scope, None, f"no report for {report.year - 1}")
            )
            continue
        now_key, then_key = ("requests", "carried_over", column), ("requests", "carried_forward", column)
        now, then = cells.get((report.report_id, *now_key)), cells.get((previous.report_id, *then_key))
        inputs = [_cell_text(previous, then_key, then), _cell_text(report, now_key, now)]
        if now is None or then is None or now.number is None or then.number is None:
            why = "a cell is missing, blank without proof, or not applicable"
            rows.append(_not_evaluated(report, CHECK_CARRY_OVER, scope, previous, why, inputs))
            continue
        detail = (
            f"{report.year} 上年结转 {_num(now.number)} vs {previous.year} 结转下年度 {_num(then.number)}"
        )
        fields = _compare(then.number, now.number)
        rows.append(_row(report, CHECK_CARRY_OVER, scope, previous, inputs=inputs, detail=detail, **fields))
    return rows


def document_stock(
    report: ReportInfo, previous: ReportInfo | None, cells: dict[CellKey, CellValue]
) -> list[Row]:
    rows = []
    for item in _STOCK_ITEMS:
        scope = f"item:{item}"
        if previous is None:
            rows.append(_not_evaluated(report, CHECK_STOCK, scope, None, f"no report for {report.year - 1}"))
            continue
        if report.template != STOCK_TEMPLATE or previous.template != STOCK_TEMPLATE:
            templates = f"{previous.template} -> {report.template}"
            why = f"现行有效件数 exists in the {STOCK_TEMPLATE} template only ({templates})"
            rows.append(_not_evaluated(report, CHECK_STOCK, scope, previous, why))
            continue
        keys = [
            (previous, ("active_disclosure", item, "in_force")),
            (report, ("active_disclosure", item, "issued")),
            (report, ("active_disclosure", item, "repealed")),
            (report, ("active_disclosure", item, "in_force")),
        ]
        found = [cells.get((r.report_id, *key)) for r, key in keys]
        inputs = [_cell_text(r, key, cell) for (r, key), cell in zip(keys, found, strict=True)]
        numbers = [cell.number if cell else None for cell in found]
        if any(n is None for n in numbers):
            why = "a cell is missing, blank without proof, or not applicable"
            rows.append(_not_evaluated(report, CHECK_STOCK, scope, previous, why, inputs))
            continue
        before, issued, repealed, now = (float(n) for n in numbers if n is not None)
        expected = before + issued - repealed
        detail = (
            f"{_num(before)} + {_num(issued)} − {_num(repealed)} = {_num(expected)}; published {_num(now)}"
        )
        rows.append(
            _row(
                report, CHECK_STOCK, scope, previous, inputs=inputs, detail=detail, **_compare(expected, now)
            )
        )
    return rows


def deadline(report: ReportInfo) -> tuple[date, str]:
    """The last lawful publication day of a report, and the rule that sets it."""
    if report.year < REVISED_REGULATIONS_FIRST_YEAR:
        return date(report.year + 1, 3, 31), "条例（2007）第三十一条: by 31 March"
    if report.agency_type == "gov":
        return date(report.year + 1, 3, 31), "条例（2019）第四十九条: a government's report by 31 March"
    return date(report.year + 1, 1, 31), "条例（2019）第四十九条: departments by 31 January"


def timeliness(report: ReportInfo) -> Row:
    last_day, rule = deadline(report)
    inputs = [f"published_date: {report.published_date or 'unknown'}", f"deadline: {last_day} ({rule})"]
    if report.published_date is None:
        return _not_evaluated(
            report, CHECK_TIMELINESS, None, None, "the site gave no publication date", inputs
        )
    days = (report.published_date - last_day).days
    detail = f"{days} days late" if days > 0 else f"on time ({-days} days before the deadline)"
    return _row(
        report,
        CHECK_TIMELINESS,
        None,
        None,
        status=PANEL_FAIL if days > 0 else PANEL_PASS,
        expected=0.0,
        actual=float(days),
        difference=float(days),
        inputs=inputs,
        detail=detail,
    )


@lru_cache(maxsize=8)  # a text is split as the report's own, then as the next report's previous
def sentences(text: str) -> tuple[str, ...]:
    """The report's sentences, normalised (NFKC, no spaces, years masked)."""
    # Spaces and years go from the whole text at once: no sentence spans a line break, so this is
    # what cleaning each sentence gives, at a fraction of the cost over a national panel.
    flat = _YEAR_WORD.sub("#", _SPACES.sub("", nfkc(text)))
    return tuple(s for m in _SENTENCE.finditer(flat) if len(s := m.group(0)) >= _MIN_SENTENCE_CHARS)


def repetition(
    report: ReportInfo, previous: ReportInfo | None, text: Callable[[ReportInfo], str | None]
) -> Row:
    if previous is None:
        return _not_evaluated(report, CHECK_REPETITION, None, None, "no earlier report of this agency")
    inputs = [f"{r.year} {r.text_path or 'no text'}" for r in (previous, report)]
    now, then = text(report), text(previous)
    if not now or not then:
        return _not_evaluated(report, CHECK_REPETITION, None, previous, "a report has no text", inputs)
    current, earlier = sentences(now), set(sentences(then))
    if not current:
        return _not_evaluated(report, CHECK_REPETITION, None, previous, "the report has no sentences", inputs)
    repeated = sum(s in earlier for s in current)
    share = repeated / len(current)
    detail = f"{repeated} of {len(current)} sentences repeated from the {previous.year} report"
    return _row(
        report,
        CHECK_REPETITION,
        None,
        previous,
        status=PANEL_FAIL if share >= REPETITION_LIMIT else PANEL_PASS,
        expected=REPETITION_LIMIT,
        actual=share,
        difference=share - REPETITION_LIMIT,
        inputs=inputs,
        detail=detail,
    )
