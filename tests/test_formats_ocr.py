"""Scans and pictures of tables: an image-only PDF of a degraded scan, page images shown in an HTML
page, an image attachment; OCR scores and failed rules marking doubtful cells.

OCR costs seconds per page, so the set is small: one scanned report, the pages of one report as
HTML pictures, one attachment. bench/bench_formats.py measures accuracy on a larger set.
"""

from __future__ import annotations

import dataclasses
import io

import docx
import pytest
from docx.shared import Cm
from test_formats_corpus import (  # noqa: F401 (a fixture)
    convert_cache,
    docx_of,
    ground_truth,
    image_pdf,
    page_images,
    png,
    to_pdf,
)
from test_formats_pdf import wrong_cells

import pipeline.parse
from pipeline.grid import TableGrid
from pipeline.ocr_evidence import low_confidence
from pipeline.parse import parse_report
from pipeline.readers import Document
from pipeline.readers.geometry import OcrGrid
from pipeline.readers.office import convert
from pipeline.readers.pdf import read_pdf
from pipeline.render import GroundTruth
from pipeline.report import STATUS_OK, Report

# The scanned set must reach this share of right cells, and flag every wrong one.
MIN_ACCURACY = 0.98
URL = "http://www.example.gov.cn/zwgk/xxgknb/202401/t20240120_1.html"


def assert_right_or_flagged(report: Report, gt: GroundTruth) -> None:
    wrong = {key for key, _, _ in wrong_cells(report, gt)}
    assert 1 - len(wrong) / len(report.facts) >= MIN_ACCURACY, wrong
    unflagged = [f for f in report.facts if f.key in wrong and not low_confidence(f)]
    assert not unflagged
    assert {f.method for f in report.facts} == {"ocr"}
    assert all(0 <= (f.confidence or 0) <= 1 for f in report.facts)


@pytest.fixture(scope="module")
def text_pdf(convert_cache: None) -> tuple[GroundTruth, bytes]:  # noqa: F811
    gt = ground_truth(31, "2021")
    return gt, to_pdf(docx_of(gt))


def test_degraded_scan_of_a_2019_report(convert_cache: None) -> None:  # noqa: F811
    gt = ground_truth(32, "2019")
    scan = image_pdf(page_images(to_pdf(docx_of(gt)), degrade=True, seed=32))
    report = parse_report(scan, "scan.pdf")
    assert report.template == "2019"
    assert report.metadata["ocr_pages"].startswith("1,2,3")
    assert (report.year, report.agency) == (gt.year, gt.agency)
    assert_right_or_flagged(report, gt)


def test_table_images_in_an_html_page(text_pdf: tuple[GroundTruth, bytes]) -> None:
    gt, pdf = text_pdf
    pages = page_images(pdf, dpi=110)[1:]  # web pictures: lower resolution than a scan
    body = "".join(f'<p><img src="../../upload/{n}.png" width="640"/></p>' for n in range(len(pages)))
    page = (
        f"<html><head><meta charset='utf-8'><title>{gt.title}</title></head><body><h1>{gt.title}</h1>"
        f"<p>本报告中所列数据的统计期限自{gt.year}年1月1日至12月31日止。</p>{body}</body></html>"
    ).encode()
    # The crawler stores the pictures under their absolute URL.
    images = {f"http://www.example.gov.cn/zwgk/upload/{n}.png": png(p) for n, p in enumerate(pages)}
    report = parse_report(page, "page.html", url=URL, images=images)
    assert report.metadata["ocr_images"] == str(len(pages))
    assert_right_or_flagged(report, gt)
    without = parse_report(page, "page.html", url=URL)
    assert any(w.startswith("images_not_read") for w in without.warnings)


def test_pictures_of_tables_inside_a_text_pdf(text_pdf: tuple[GroundTruth, bytes]) -> None:
    gt, pdf = text_pdf
    document = docx.Document()
    document.add_paragraph(gt.title)
    document.add_paragraph(f"本报告中所列数据的统计期限自{gt.year}年1月1日至12月31日止。")
    for n, page in enumerate(page_images(pdf)[1:], start=1):
        document.add_paragraph(f"附图{n}：本页表格为扫描件，如有疑问请与本机关联系，电话0454-1234567。")
        document.add_picture(io.BytesIO(png(page)), width=Cm(11))
    buffer = io.BytesIO()
    document.save(buffer)
    report = parse_report(convert(buffer.getvalue(), "pdf", source_suffix=".docx"), "mixed.pdf")
    assert "ocr_pages" in report.metadata
    assert (report.template, report.year) == ("2021", gt.year)
    assert_right_or_flagged(report, gt)


def test_an_image_attachment_is_a_document(text_pdf: tuple[GroundTruth, bytes]) -> None:
    gt, pdf = text_pdf
    last = page_images(pdf)[-1]  # table 四 and the closing sections
    report = parse_report(png(last), "attachment.png")
    assert report.source_format == "image"
    review = [f for f in report.facts if f.section == "review_litigation"]
    assert all((f.value, f.method) == (gt.expected_value(f.key), "ocr") for f in review)


# ---------------------------------------------------------------------------------------------
# Flags, on OCR grids built from a text PDF (no OCR run: fast and exact)
# ---------------------------------------------------------------------------------------------


def _as_ocr(document: Document, score: float) -> Document:
    grids: list[TableGrid] = [
        OcrGrid(rows=g.rows, aligned=True, confidence={c.origin: score for row in g.rows for c in row})
        for g in document.tables
    ]
    return dataclasses.replace(document, tables=grids, metadata={**document.metadata, "ocr_pages": "all"})


def _parse(document: Document, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.setattr(pipeline.parse, "reader_for", lambda fmt: lambda data: document)
    return parse_report(b"%PDF-1.4 stand-in", "scan.pdf")


def _set(document: Document, label: str, column: int, text: str, score: float) -> None:
    """Give one cell of the row labelled `label` a new text and OCR score."""
    for grid in document.tables:
        for r, row in enumerate(grid.rows):
            if any(label in cell.text for cell in row):
                origin = row[column].origin
                grid.rows[r] = [dataclasses.replace(c, text=text) if c.origin == origin else c for c in row]
                assert isinstance(grid, OcrGrid)
                grid.confidence[origin] = score
                return
    raise AssertionError(label)


def test_scores_reach_the_facts(text_pdf: tuple[GroundTruth, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    gt, pdf = text_pdf
    document = _as_ocr(read_pdf(pdf), 0.99)
    _set(document, "予以公开", 3, gt.published[("requests", "disclosed", "natural_person")], 0.42)
    report = _parse(document, monkeypatch)
    assert report.status == STATUS_OK and not wrong_cells(report, gt)
    doubtful = report.fact("requests", "disclosed", "natural_person")
    assert (doubtful.method, doubtful.confidence) == ("ocr", 0.42)
    assert low_confidence(doubtful)
    assert [w for w in report.warnings if w.startswith("ocr_low_confidence")] == [
        "ocr_low_confidence: requests/disclosed/natural_person (OCR score 0.42)"
    ]
    assert sum(low_confidence(f) for f in report.facts) == 1


def test_a_rule_failing_after_ocr_flags_its_cells(
    text_pdf: tuple[GroundTruth, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    gt, pdf = text_pdf
    document = _as_ocr(read_pdf(pdf), 0.99)
    true = gt.values[("requests", "carried_forward", "total")]
    _set(document, "结转下年度", 9, str(int(true or 0) + 8), 0.97)  # a misread the score did not reveal
    report = _parse(document, monkeypatch)
    assert "requests_balance" in report.checks_failed
    misread = report.fact("requests", "carried_forward", "total")
    assert low_confidence(misread)
    flagged = {w.split(" ")[1] for w in report.warnings if w.startswith("ocr_low_confidence")}
    assert "requests/carried_forward/total" in flagged
    assert "requests/new_requests/total" in flagged  # the other cells of the failed balance
