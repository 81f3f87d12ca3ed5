"""Page geometry on PDFs written the way WPS writes them (pipeline/render/pdf_writer.py): table 三's
rowspan label set vertically in an Identity-V font at 180 pt scaled down by the text matrix, labels
wrapped inside their cells at a leading tighter than the font is high; and on PDFs LibreOffice makes
from a DOCX whose label cell has vertical text (w:textDirection tbRlV). Every cell is compared
with the ground truth the report was drawn from.
"""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from test_formats_corpus import convert_cache, to_pdf  # noqa: F401 (a fixture)
from test_formats_pdf import wrong_cells

from pipeline.parse import parse_report
from pipeline.readers.geometry import Ink, Ruling, cell_text, page_blocks, ruled_tables
from pipeline.readers.pdf import _page_inks
from pipeline.render import GroundTruth, random_ground_truth, render_docx
from pipeline.render.pages import CM, MARGINS, Style, layout_report
from pipeline.render.pdf_writer import VERTICAL_FONT_SIZE, write_pdf
from pipeline.report import STATUS_OK

CASES = [(template, seed) for template in ("2021", "2019") for seed in range(6)]


def wps_pdf(template: str, seed: int, style: Style | None = None) -> tuple[GroundTruth, bytes]:
    gt = random_ground_truth(random.Random(seed), template=template)
    return gt, write_pdf(layout_report(gt, style), title="")


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_every_cell_of_a_wps_style_pdf(template: str, seed: int) -> None:
    gt, pdf = wps_pdf(template, seed)
    report = parse_report(pdf, "report.pdf")
    assert (report.template, report.status) == (template, STATUS_OK), report.warnings
    assert not wrong_cells(report, gt)
    assert (report.year, report.agency) == (gt.year, gt.agency)


@pytest.mark.parametrize(("template", "seed"), [("2021", 40), ("2019", 41)])
def test_every_cell_of_a_pdf_made_from_docx_with_vertical_cell_text(
    convert_cache: None,  # noqa: F811
    template: str,
    seed: int,
) -> None:
    gt = random_ground_truth(random.Random(seed), template=template)
    pdf = to_pdf(render_docx(gt, rng=random.Random(gt.title), vertical_labels=True))
    report = parse_report(pdf, "report.pdf")
    assert (report.template, report.status) == (template, STATUS_OK), report.warnings
    assert not wrong_cells(report, gt)
    assert "三、本年度办理结果" in report.text  # the vertical label read as one cell


def test_tight_leading_without_the_vertical_column() -> None:
    gt, pdf = wps_pdf("2021", 7, Style(vertical_labels=False, cell_leading=0.9))
    report = parse_report(pdf, "report.pdf")
    assert report.status == STATUS_OK and not wrong_cells(report, gt)


def _vertical_page(pdf: bytes) -> tuple[list[Ink], list[tuple[int, float]]]:
    """The inks of the page holding table 三, and (index, font size) of its huge-font characters."""
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            textpage = page.get_textpage()
            huge = [
                (i, pdfium_c.FPDFText_GetFontSize(textpage.raw, i))
                for i in range(textpage.count_chars())
                if pdfium_c.FPDFText_GetFontSize(textpage.raw, i) >= 100
            ]
            if huge:
                return _page_inks(page, page.get_size()[1]), huge
    finally:
        document.close()
    raise AssertionError("no vertical label in the fixture")


def test_the_fixture_sets_vertical_labels_as_wps_does() -> None:
    _, pdf = wps_pdf("2021", 1)
    assert b"/Identity-V" in pdf
    _, huge = _vertical_page(pdf)
    assert len(huge) == len("三、本年度办理结果")
    assert {size for _, size in huge} == {VERTICAL_FONT_SIZE}


def test_vertical_characters_get_their_printed_boxes() -> None:
    _, pdf = wps_pdf("2021", 1)
    inks, _ = _vertical_page(pdf)
    inside = [i for i in inks if MARGINS[3] < i.x0 and i.x1 < MARGINS[3] + 1.1 * CM]
    # The characters stacked in one column (the header cell above wraps horizontally there too).
    x0 = max({round(i.x0) for i in inside}, key=lambda x: sum(round(i.x0) == x for i in inside))
    column = [i for i in inside if round(i.x0) == x0]
    assert "".join(i.text for i in sorted(column, key=lambda i: i.top)) == "三、本年度办理结果"
    for ink in column:  # one 10.5 pt em each, inside the 1.1 cm first column
        assert ink.width == pytest.approx(10.5, abs=0.2) and ink.height == pytest.approx(10.5, abs=0.2)
        assert MARGINS[3] < ink.cx < MARGINS[3] + 1.1 * CM


def test_the_vertical_label_is_one_cell() -> None:
    _, pdf = wps_pdf("2019", 2)
    report = parse_report(pdf, "report.pdf")
    assert "三、本年度办理结果" in report.text


# ---------------------------------------------------------------------------------------------
# Lines inside a cell, on synthetic characters
# ---------------------------------------------------------------------------------------------


def _row(text: str, x: float, top: float, size: float = 10.0) -> list[Ink]:
    return [Ink(ch, x + k * size, top, x + (k + 1) * size, top + size) for k, ch in enumerate(text)]


def _first_cell(inks: list[Ink]) -> str:
    """The text of the first cell of a two-cell table 200 wide and 40 high holding the inks."""
    ruling = Ruling(
        horizontal=[(-2, -2, 300), (40, -2, 300)], vertical=[(-2, -2, 40), (200, -2, 40), (300, -2, 40)]
    )
    (block,) = page_blocks(inks, ruled_tables(ruling, 1.0))
    assert block.grid is not None
    return block.grid.rows[0][0].text


def test_tight_leading_lines_are_not_interleaved() -> None:
    # Line pitch 8.5 for 10-high boxes: the boxes of the two lines overlap.
    inks = _row("（二）部分公开", 0, 0) + _row("（区分处理的）", 0, 8.5)
    assert _first_cell(inks) == "（二）部分公开\n（区分处理的）"


def test_a_huge_stray_box_does_not_merge_lines() -> None:
    stray = Ink("度", 100, -75, 280, 105)  # an untransformed 180 pt box, its centre in the cell
    inks = [*_row("1.属于国家秘密", 0, 0), *_row("2.其他法律", 0, 12), stray]
    first, second = _first_cell(inks).split("\n")
    assert first.startswith("1.属于国家秘密") and second == "2.其他法律"  # not merged character by character


def test_a_column_of_single_characters_is_one_label() -> None:
    column = [[Ink(ch, 0, 12 * k, 10, 12 * k + 10)] for k, ch in enumerate("三、本年度办理结果")]
    assert cell_text(column) == "三、本年度办理结果"
    two_lines = [_row("四、结转", 0, 0), _row("下年度", 0, 12)]
    assert cell_text(two_lines) == "四、结转\n下年度"


def test_a_cell_of_vertical_text_in_a_lattice() -> None:
    ruling = Ruling(
        horizontal=[(0, 0, 60), (100, 0, 60)],
        vertical=[(0, 0, 100), (20, 0, 100), (60, 0, 100)],
    )
    inks = [Ink(ch, 5, 5 + 11 * k, 15, 15 + 11 * k) for k, ch in enumerate("本年度办理结果")]
    inks += _row("予以公开", 22, 40, 9)
    (block,) = page_blocks(inks, ruled_tables(ruling, 1.0))
    assert block.grid is not None
    assert block.grid.texts() == [["本年度办理结果", "予以公开"]]
