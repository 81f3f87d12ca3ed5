"""panel_checks: carry-over, document stock, timeliness and repetition across an agency's years.

The expected results are worked out here from the ground truth that generated the reports (or
written by hand for the unit cases), never from the code under test.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import pandas as pd
import pytest

from pipeline.codebook import REQUEST_COLUMNS
from pipeline.datasets import build_datasets
from pipeline.datasets.panel_checks import (
    REPETITION_LIMIT,
    CellValue,
    ReportInfo,
    carry_over,
    document_stock,
    repetition,
    sentences,
    timeliness,
)
from pipeline.datasets.synthetic import Site, SyntheticArchive
from pipeline.render import GroundTruth, render_html

BUREAU = Site("xfgj", "佳木斯市向阳区发展和改革局", "230803", "department")


def info(
    year: int, template: str = "2021", agency_type: str = "dept", published: str | None = None
) -> ReportInfo:
    return ReportInfo(
        f"a-{year}",
        year,
        "a",
        agency_type,
        template,
        date.fromisoformat(published) if published else None,
        None,
    )


def number(value: float) -> CellValue:
    return CellValue(value, None, "number")


# --- unit cases, by hand ---------------------------------------------------------------------------


def test_carry_over_per_applicant_column() -> None:
    then, now = info(2022), info(2023)
    cells = {("a-2022", "requests", "carried_forward", c): number(2) for c in REQUEST_COLUMNS}
    cells |= {("a-2023", "requests", "carried_over", c): number(2) for c in REQUEST_COLUMNS}
    cells[("a-2023", "requests", "carried_over", "natural_person")] = number(5)  # 3 more than left open
    cells[("a-2023", "requests", "carried_over", "research_institution")] = CellValue(None, 2.0, "empty")
    cells[("a-2023", "requests", "carried_over", "other_organization")] = CellValue(
        None, None, "not_applicable"
    )
    rows = {r["scope"]: r for r in carry_over(now, then, cells)}
    assert rows["column:natural_person"]["status"] == "fail"
    assert rows["column:natural_person"]["difference"] == 3
    assert rows["column:total"]["status"] == "pass"
    assert rows["column:research_institution"]["status"] == "pass"  # a blank proved 2 by the sums
    assert "proved 2" in rows["column:research_institution"]["inputs"][1]
    assert rows["column:other_organization"]["status"] == "not_evaluated"
    assert all(r["previous_report_id"] == "a-2022" for r in rows.values())
    assert {r["status"] for r in carry_over(now, None, cells)} == {"not_evaluated"}


def test_document_stock_needs_the_2021_template_in_both_years() -> None:
    cells = {
        ("a-2022", "active_disclosure", "rules", "in_force"): number(10),
        ("a-2023", "active_disclosure", "rules", "issued"): number(3),
        ("a-2023", "active_disclosure", "rules", "repealed"): number(1),
        ("a-2023", "active_disclosure", "rules", "in_force"): number(12),
        ("a-2022", "active_disclosure", "normative_documents", "in_force"): number(4),
        ("a-2023", "active_disclosure", "normative_documents", "issued"): number(0),
        ("a-2023", "active_disclosure", "normative_documents", "repealed"): number(0),
        ("a-2023", "active_disclosure", "normative_documents", "in_force"): number(7),
    }
    rows = {r["scope"]: r for r in document_stock(info(2023), info(2022), cells)}
    assert (rows["item:rules"]["status"], rows["item:rules"]["expected"]) == ("pass", 12)
    assert (rows["item:normative_documents"]["status"], rows["item:normative_documents"]["difference"]) == (
        "fail",
        3,
    )
    old = document_stock(info(2021), info(2020, template="2019"), cells)
    assert {r["status"] for r in old} == {"not_evaluated"}
    assert "2021 template only" in old[0]["detail"]


@pytest.mark.parametrize(
    ("year", "agency_type", "published", "status", "days"),
    [
        (2023, "dept", "2024-01-31", "pass", 0),
        (2023, "dept", "2024-02-05", "fail", 5),
        (2023, "gov", "2024-03-30", "pass", -1),  # a government's own report: by 31 March
        (2023, "gov", "2024-04-02", "fail", 2),
        (2017, "dept", "2018-03-31", "pass", 0),  # before the 2019 revision: 31 March for everyone
    ],
)
def test_timeliness_against_the_statutory_deadline(
    year: int, agency_type: str, published: str, status: str, days: int
) -> None:
    row = timeliness(info(year, agency_type=agency_type, published=published))
    assert (row["status"], row["actual"]) == (status, days)


def test_timeliness_without_a_date_is_not_evaluated() -> None:
    assert timeliness(info(2023))["status"] == "not_evaluated"


def test_repetition_counts_sentences_with_years_masked() -> None:
    last = "2022年，本局主动公开政府信息120条。全年未收到行政复议申请。首页 政务公开 政务服务\n"
    copied = last.replace("2022", "2023")
    fresh = "2023年，本局围绕优化营商环境推进公开工作。全年收到行政复议申请两件，均已办结。"
    texts = {"a-2022": last, "a-2023": copied, "b-2023": fresh}

    def text(r: ReportInfo) -> str:
        return texts[r.report_id]

    assert sentences(last) == ("#年,本局主动公开政府信息120条。", "全年未收到行政复议申请。")  # no menu line
    row = repetition(info(2023), info(2022), text)
    assert (row["status"], row["actual"]) == ("fail", 1.0)
    other = dataclasses.replace(info(2023), report_id="b-2023")
    assert repetition(other, info(2022), text)["actual"] == 0.0
    assert repetition(info(2023), None, text)["status"] == "not_evaluated"


# --- built from an archive -------------------------------------------------------------------------


def _with(gt: GroundTruth, changes: dict[tuple[str, str, str], int]) -> GroundTruth:
    values = {**gt.values, **changes}
    published = {**gt.published, **{k: str(v) for k, v in changes.items()}}
    return dataclasses.replace(gt, values=values, published=published)


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, dict[int, GroundTruth]]:
    """2021 and 2022 consistent; 2023 a copy of 2022 with the years changed, published late."""
    out = tmp_path_factory.mktemp("panel") / "out"
    arc, rng = SyntheticArchive(out), random.Random(7)
    gt21 = arc.report(BUREAU, 2021, rng)
    gt22 = arc.report(BUREAU, 2022, rng)
    carried = {
        ("requests", "carried_over", c): int(gt21.values[("requests", "carried_forward", c)] or 0)
        for c in REQUEST_COLUMNS
    }
    rules = ("active_disclosure", "rules")
    in_force = int(gt21.values[(*rules, "in_force")] or 0)
    in_force += int(gt22.values[(*rules, "issued")] or 0) - int(gt22.values[(*rules, "repealed")] or 0)
    gt22 = _with(gt22, {**carried, (*rules, "in_force"): in_force})
    truths = {2021: gt21, 2022: gt22}
    for gt in truths.values():
        arc.publish(BUREAU, gt)
    copy = render_html(gt22).decode("utf-8").replace("2022", "2023").replace("2021", "2022")
    page = f"http://{BUREAU.host}/zwgk/nb/2023.html"
    arc.add(
        BUREAU,
        copy.encode("utf-8"),
        url=page,
        title=gt22.title.replace("2022", "2023"),
        published="2024-02-09",
    )
    build_datasets(out, workers=1)
    return pd.read_parquet(out / "parquet" / "panel_checks"), truths


def test_consistent_years_pass_and_a_copy_fails(panel: tuple[pd.DataFrame, dict[int, GroundTruth]]) -> None:
    checks, truths = panel
    checks = checks.assign(year=checks["year"].astype(int)).set_index(["year", "check", "scope"])
    for column in REQUEST_COLUMNS:
        assert checks.loc[(2022, "carry_over", f"column:{column}"), "status"] == "pass", column
        # The copy restates 2022's carried-over requests, not those 2022 left open.
        expected = truths[2022].values[("requests", "carried_forward", column)] or 0
        copied = truths[2022].values[("requests", "carried_over", column)] or 0
        row = checks.loc[(2023, "carry_over", f"column:{column}")]
        assert row["status"] == ("pass" if expected == copied else "fail"), column
        assert (row["expected"], row["actual"]) == (expected, copied)
    assert checks.loc[(2022, "document_stock", "item:rules"), "status"] == "pass"
    assert checks.loc[(2021, "carry_over", "column:total"), "status"] == "not_evaluated"  # no 2020 report


def test_copy_and_late_publication_are_flagged(panel: tuple[pd.DataFrame, dict[int, GroundTruth]]) -> None:
    checks, truths = panel
    rows = checks.assign(year=checks["year"].astype(int)).set_index(["year", "check"])
    copy = rows.loc[(2023, "repetition")]
    assert copy["status"] == "fail" and copy["actual"] >= REPETITION_LIMIT
    assert copy["previous_report_id"] == "230803-dept-fgj-2022"
    assert rows.loc[(2022, "repetition"), "actual"] < REPETITION_LIMIT  # independent reports
    late = rows.loc[(2023, "timeliness")]
    assert (late["status"], late["actual"]) == ("fail", 9)  # 2024-02-09 against 31 January
    for year, gt in truths.items():
        days = (date.fromisoformat(gt.published_date) - date(year + 1, 1, 31)).days
        assert rows.loc[(year, "timeliness"), "actual"] == days


def test_the_table_is_rebuilt_with_the_panel(panel: tuple[pd.DataFrame, dict[int, GroundTruth]]) -> None:
    checks, _ = panel
    per_report = checks.groupby("report_id", observed=True)["check"].value_counts().unstack()
    assert per_report.loc[:, "carry_over"].eq(len(REQUEST_COLUMNS)).all()
    assert per_report.loc[:, ["timeliness", "repetition"]].eq(1).all().all()
    assert set(checks["status"]) <= {"pass", "fail", "not_evaluated"}
