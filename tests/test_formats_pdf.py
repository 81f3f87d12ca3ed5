"""PDF with a text layer: generated reports (DOCX converted by LibreOffice) parsed back cell by cell;
tables rebuilt from ruling lines, joined across page breaks, text in reading order.

The seeds are reports whose tables break across pages in every way LibreOffice breaks them:
table 三 continued with its header repeated, a row split with its label on one page and its
values on the next (or its last value alone on the next), table 二's last row alone on a page.
"""

from __future__ import annotations

import time

import pytest
from test_formats_corpus import convert_cache, docx_of, ground_truth, to_pdf  # noqa: F401 (a fixture)

from pipeline.grid import GridCell, TableGrid
from pipeline.parse import parse_report
from pipeline.readers.pdf import Block, Ruling, join_page_breaks, read_pdf, ruled_tables
from pipeline.render import GroundTruth
from pipeline.report import STATUS_FAILED, STATUS_OK, Report

SEEDS = [("2021", 3), ("2021", 6), ("2021", 2), ("2019", 0)]


def wrong_cells(report: Report, gt: GroundTruth) -> list[tuple]:
    return [
        (f.key, f.raw, gt.published[f.key])
        for f in report.facts
        if (f.kind, f.value) != (gt.expected_kind(f.key), gt.expected_value(f.key))
    ]


@pytest.fixture(scope="module")
def pdfs(convert_cache: None) -> dict[tuple[str, int], tuple[GroundTruth, bytes]]:  # noqa: F811
    out = {}
    for template, seed in SEEDS:
        gt = ground_truth(seed, template)
        out[(template, seed)] = (gt, to_pdf(docx_of(gt)))
    return out


@pytest.mark.parametrize(("template", "seed"), SEEDS)
def test_every_cell_of_a_text_pdf(pdfs: dict, template: str, seed: int) -> None:
    gt, pdf = pdfs[(template, seed)]
    report = parse_report(pdf, "report.pdf")
    assert report.source_format == "pdf"
    assert (report.template, report.status) == (template, STATUS_OK), report.warnings
    assert not wrong_cells(report, gt)
    assert (report.year, report.agency) == (gt.year, gt.agency)
    assert {f.method for f in report.facts} == {"text"}


@pytest.mark.parametrize(("template", "seed"), SEEDS)
def test_tables_split_by_page_breaks_are_joined(pdfs: dict, template: str, seed: int) -> None:
    document = read_pdf(pdfs[(template, seed)][1])
    assert len(document.tables) == 3  # 二, 三, 四: each whole again
    heads = [grid.rows[0][0].text for grid in document.tables]
    assert heads[0].startswith("第二十条") and "勾稽关系" in heads[1]


def test_text_in_reading_order(pdfs: dict) -> None:
    gt, pdf = pdfs[("2021", 3)]
    lines = read_pdf(pdf).text.splitlines()
    headings = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "六、其他需要报告的事项",
    ]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(h)) for h in headings]
    assert positions == sorted(positions)
    assert gt.title.replace("\n", "") in "".join(lines[:2])
    # Lines wrapped at the right margin are joined back into their paragraph.
    period = next(line for line in lines if "统计期限" in line)
    assert "统计期限自" in period and "12月31日止" in period
    assert not any(line.strip().isdigit() for line in lines)  # page numbers dropped


def test_text_pdf_parses_fast(pdfs: dict) -> None:
    pdf = pdfs[("2021", 3)][1]
    parse_report(pdf, "warm.pdf")
    start = time.perf_counter()
    for _ in range(3):
        parse_report(pdf, "report.pdf")
    assert (time.perf_counter() - start) / 3 < 1.0  # ~0.1 s on one core; generous for shared CI


def test_corrupt_pdf_is_a_failed_report() -> None:
    report = parse_report(b"%PDF-1.7\n" + b"\x00garbage" * 50, "broken.pdf")
    assert report.status == STATUS_FAILED
    assert report.error and "PDF" in report.error


# ---------------------------------------------------------------------------------------------
# The lattice and page-break joins on synthetic input
# ---------------------------------------------------------------------------------------------


def test_missing_borders_make_spans() -> None:
    # 3 columns × 2 rows; the top row has no inner borders: one cell across the table.
    ruling = Ruling(
        horizontal=[(0, 0, 30), (10, 0, 30), (20, 0, 30)],
        vertical=[(0, 0, 20), (10, 10, 20), (20, 10, 20), (30, 0, 20)],
    )
    (table,) = ruled_tables(ruling, tol=1)
    assert table.xs == [0, 10, 20, 30] and table.ys == [0, 10, 20]
    assert {table.origin[(0, c)] for c in range(3)} == {(0, 0)}
    assert [table.origin[(1, c)] for c in range(3)] == [(1, 0), (1, 1), (1, 2)]


def _block(
    rows: list[list[str]], xs: tuple[float, ...], wrapped: set[tuple[int, int]] | None = None
) -> Block:
    grid = TableGrid.from_spans([[(t, 1, 1) for t in row] for row in rows])
    return Block(0, 10, grid=grid, xs=xs, wrapped=wrapped or set())


XS = (0.0, 10.0, 20.0, 30.0)
HEAD = ["项目", "自然人", "总计"]


def test_a_row_broken_across_pages_is_made_whole() -> None:
    # The label ran to its cell's border: it goes on at the top of the next page.
    head = _block([HEAD, ["2.申请人逾期未按收", "0", "0"]], XS, wrapped={(1, 0)})
    tail = _block([HEAD, ["费通知要求缴纳费用", "", ""], ["3.其他", "1", "1"]], XS)
    (joined,) = join_page_breaks([head, tail], page_starts={1}, tol=1)
    assert joined.grid is not None
    assert joined.grid.texts() == [
        HEAD,
        ["2.申请人逾期未按收\n费通知要求缴纳费用", "0", "0"],
        ["3.其他", "1", "1"],
    ]


def test_values_broken_onto_the_next_page_join_their_label() -> None:
    head = _block([HEAD, ["四、结转下年度继续办理", "", ""]], XS)
    tail = _block([HEAD, ["", "31", "32"]], XS)
    (joined,) = join_page_breaks([head, tail], page_starts={1}, tol=1)
    assert joined.grid is not None
    assert joined.grid.texts()[-1] == ["四、结转下年度继续办理", "31", "32"]


@pytest.mark.parametrize(
    ("last", "first"),
    [
        (["信息内容", "本年处理决定数量", "本年处理决定数量"], ["行政许可", "98", "98"]),  # a head, then data
        (["行政处罚", "", ""], ["行政强制", "1", "1"]),  # a complete label with blank values
    ],
)
def test_a_new_row_after_a_page_break_stays_a_row(last: list[str], first: list[str]) -> None:
    head, tail = _block([HEAD, last], XS), _block([HEAD, first], XS)
    (joined,) = join_page_breaks([head, tail], page_starts={1}, tol=1)
    assert joined.grid is not None
    assert joined.grid.texts()[-2:] == [last, first]


def test_a_continuation_with_fewer_inner_borders_is_laid_on_the_table_columns() -> None:
    head = _block([["信息内容", "本年收费金额", "", ""]], (0.0, 10.0, 20.0, 30.0, 40.0))
    tail = Block(0, 10, grid=TableGrid(rows=[[GridCell("行政事业性收费", (0, 0)), GridCell("5220", (0, 1))]]))
    tail.xs = (0.0, 10.0, 40.0)
    (joined,) = join_page_breaks([head, tail], page_starts={1}, tol=1)
    assert joined.grid is not None
    last = joined.grid.rows[-1]
    assert [c.text for c in last] == ["行政事业性收费", "5220", "5220", "5220"]
    assert len({c.origin for c in last[1:]}) == 1  # one cell spanning three columns
