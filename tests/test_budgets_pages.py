"""Budgets of the page readers (pipeline/limits.py): PDF pages, decoded image pixels, pixels rendered
for OCR, OCR pages and seconds per document; a PDF whose page tree contains itself. Each is a
failed report with a one-line error naming the budget, never an exception.
"""

from __future__ import annotations

import io
import random
import struct
import time
import zlib

import pytest
from PIL import Image

import pipeline.readers.ocr as ocr
from pipeline import limits
from pipeline.parse import parse_report
from pipeline.render import random_ground_truth
from pipeline.render.pages import layout_report
from pipeline.render.pdf_writer import write_pdf
from pipeline.report import STATUS_FAILED


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int) -> bytes:
    """A PNG declaring width × height pixels with almost no data: what a decompression bomb shows."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def scanned_pdf(pages: int, *, side_px: int = 200, dpi: float = 72.0) -> bytes:
    images = [Image.new("RGB", (side_px, side_px), "white") for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def test_a_pdf_over_the_page_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PDF_MAX_PAGES", 2)
    pdf = write_pdf(layout_report(random_ground_truth(random.Random(1))))
    report = parse_report(pdf, "long.pdf")
    assert (report.status, report.error) == (STATUS_FAILED, "budget exceeded: PDF pages needs 4, allowed 2")


def test_a_pdf_whose_page_tree_contains_itself() -> None:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
    ]
    body = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    report = parse_report(bytes(body), "loop.pdf")
    assert report.status in (STATUS_FAILED, "not_report")
    assert report.status != STATUS_FAILED or (report.error and "\n" not in report.error)


def test_a_decompression_bomb_image_is_refused_before_decoding() -> None:
    start = time.perf_counter()
    report = parse_report(png_header(50_000, 50_000), "bomb.png")
    assert (report.status, report.error) == (
        STATUS_FAILED,
        "budget exceeded: image pixels needs 2.5e+09, allowed 6.4e+07",
    )
    assert time.perf_counter() - start < 5


def test_pils_own_bomb_guard_is_a_budget_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "IMAGE_MAX_PIXELS", 10**12)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    report = parse_report(png_header(2000, 2000), "bomb.png")
    assert (
        report.status == STATUS_FAILED
        and report.error
        and report.error.startswith("budget exceeded: image pixels")
    )


def test_a_bomb_in_an_html_page_is_a_warning_not_a_crash() -> None:
    page = "<html><body><h1>某县2024年政府信息公开工作年度报告</h1><img src='a.png'></body></html>".encode()
    report = parse_report(
        page,
        "page.html",
        url="http://www.example.gov.cn/a.html",
        images={"a.png": png_header(50_000, 50_000)},
    )
    assert any(
        w.startswith("image_unreadable: a.png: budget exceeded: image pixels") for w in report.warnings
    )


def test_a_huge_scanned_page_is_not_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 px at 1 dpi: a 14400 pt page, 5.7 GB if rendered at the OCR scale.
    monkeypatch.setattr(ocr, "image_blocks", lambda image: pytest.fail("rendered"))
    report = parse_report(scanned_pdf(1, dpi=1.0), "huge.pdf")
    assert report.status == STATUS_FAILED
    assert report.error and report.error.startswith("budget exceeded: render pixels")


@pytest.fixture
def ocr_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The sizes of the images handed to OCR (which reads nothing: no recogniser runs)."""
    sizes: list[tuple[int, int]] = []

    def record(image: Image.Image) -> list[object]:
        sizes.append(image.size)
        return []

    monkeypatch.setattr(ocr, "image_blocks", record)
    return sizes


def test_a_large_page_is_rendered_smaller(
    monkeypatch: pytest.MonkeyPatch, ocr_reads: list[tuple[int, int]]
) -> None:
    sizes = ocr_reads
    parse_report(scanned_pdf(1, dpi=18.0), "a0.pdf")  # 800 pt square: 2.6 Mpx at scale 2 fits
    monkeypatch.setattr(limits, "RENDER_MAX_PIXELS", 1_000_000)
    parse_report(scanned_pdf(1, dpi=18.0), "a0.pdf")
    assert sizes[0] == (1600, 1600) and sizes[1][0] * sizes[1][1] <= 1_000_000 < 1600 * 1600


def test_ocr_pages_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "image_blocks", lambda image: [])
    monkeypatch.setattr(limits, "OCR_MAX_PAGES", 3)
    report = parse_report(scanned_pdf(5), "scan.pdf")
    assert (report.status, report.error) == (STATUS_FAILED, "budget exceeded: OCR pages needs 4, allowed 3")


def test_ocr_seconds_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(image: Image.Image) -> list[object]:
        time.sleep(0.05)
        return []

    monkeypatch.setattr(ocr, "image_blocks", slow)
    monkeypatch.setattr(limits, "OCR_MAX_SECONDS", 0.01)
    report = parse_report(scanned_pdf(3), "scan.pdf")
    assert report.status == STATUS_FAILED
    assert report.error and report.error.startswith("budget exceeded: OCR seconds")


def test_the_pictures_of_a_page_share_one_ocr_budget(
    monkeypatch: pytest.MonkeyPatch, ocr_reads: list[tuple[int, int]]
) -> None:
    monkeypatch.setattr(limits, "OCR_MAX_PAGES", 2)
    picture = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(picture, "PNG")
    page = "".join(f"<img src='{n}.png'>" for n in range(5)).encode()
    images = {f"{n}.png": picture.getvalue() for n in range(5)}
    report = parse_report(b"<html><body>" + page + b"</body></html>", "page.html", images=images)
    assert len(ocr_reads) == 2
    assert [w for w in report.warnings if "budget" in w] == [
        "image_unreadable: 2.png: budget exceeded: OCR pages needs 3, allowed 2"
    ]
