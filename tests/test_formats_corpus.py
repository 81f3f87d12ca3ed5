"""The generated format corpus: a ground-truth report rendered to DOCX, converted by LibreOffice to
PDF and .doc, rasterised to an image-only PDF (optionally degraded like a scan), page images.

The builders are shared by the format tests and by bench/bench_formats.py; the tests here check
that each built file really is what it claims (a text layer or none, an OLE2 container …).
"""

from __future__ import annotations

import io
import os
import random
import shutil
from collections.abc import Iterator

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from pipeline.cache import CACHE_ENV
from pipeline.readers import OLE2_MAGIC, detect_format
from pipeline.readers.office import convert
from pipeline.render import GroundTruth, random_ground_truth, render_docx, render_xlsx

SCAN_DPI = 150


def ground_truth(seed: int, template: str = "2021") -> GroundTruth:
    return random_ground_truth(random.Random(seed), template=template)


def to_pdf(docx: bytes) -> bytes:
    return convert(docx, "pdf", source_suffix=".docx")


def to_doc(docx: bytes) -> bytes:
    return convert(docx, "doc", source_suffix=".docx")


def to_xls(gt: GroundTruth) -> bytes:
    return convert(render_xlsx(gt), "xls", source_suffix=".xlsx")


def page_images(
    pdf: bytes, *, dpi: int = SCAN_DPI, degrade: bool = False, seed: int = 0
) -> list[Image.Image]:
    """The pages as images, like a scanner would produce them (grey, optionally degraded)."""
    rng = random.Random(seed)
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()
    return [_degrade(p, rng) if degrade else p for p in pages]


def _degrade(page: Image.Image, rng: random.Random) -> Image.Image:
    """A poor scan: skewed up to 1°, blurred, speckled, JPEG-compressed."""
    page = page.rotate(rng.uniform(-1.0, 1.0), resample=Image.Resampling.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 14, (page.height, page.width))
    page = Image.fromarray(np.clip(np.asarray(page, dtype=float) + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=55)
    return Image.open(io.BytesIO(buffer.getvalue()))


def image_pdf(pages: list[Image.Image], *, dpi: int = SCAN_DPI) -> bytes:
    """An image-only PDF (no text layer), one picture per page."""
    buffer = io.BytesIO()
    rgb = [p.convert("RGB") for p in pages]
    rgb[0].save(buffer, "PDF", save_all=True, append_images=rgb[1:], resolution=dpi)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def docx_of(gt: GroundTruth) -> bytes:
    # A fixed layout rng: the same report always converts to the same bytes (conversion cache).
    return render_docx(gt, rng=random.Random(gt.title))


# ---------------------------------------------------------------------------------------------
# The corpus is what it claims to be
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def converted(convert_cache: None) -> dict[str, bytes]:
    docx = docx_of(ground_truth(11))
    pdf = to_pdf(docx)
    return {"pdf": pdf, "doc": to_doc(docx), "scan": image_pdf(page_images(pdf, degrade=True)[:1])}


def test_text_pdf_has_a_text_layer(converted: dict[str, bytes]) -> None:
    document = pdfium.PdfDocument(converted["pdf"])
    assert detect_format(converted["pdf"]) == "pdf"
    assert document[0].get_textpage().count_chars() > 100


def test_scan_pdf_has_no_text_layer(converted: dict[str, bytes]) -> None:
    document = pdfium.PdfDocument(converted["scan"])
    assert document[0].get_textpage().count_chars() == 0


def test_doc_is_an_ole2_container(converted: dict[str, bytes]) -> None:
    assert converted["doc"].startswith(OLE2_MAGIC)
    assert detect_format(converted["doc"]) == "ole2"


@pytest.fixture(scope="session")
def convert_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """LibreOffice conversions cached for the session (one directory, whichever module asks)."""
    if soffice_missing():
        pytest.skip("LibreOffice is not installed (make setup)")
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.getbasetemp() / "nianbao-convert")
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


def soffice_missing() -> bool:
    return shutil.which("soffice") is None and shutil.which("libreoffice") is None
