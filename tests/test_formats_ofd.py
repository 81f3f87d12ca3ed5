"""OFD (GB/T 33190): generated reports written as OFD packages (pipeline/render/ofd_writer.py) parsed
back cell by cell; hand-written packages for the variants producers write (CTM-scaled text,
locations from the package root, template pages); scanned OFD read like a scanned PDF.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from test_formats_corpus import convert_cache, docx_of, ground_truth, image_pdf, page_images, png, to_pdf  # noqa: F401
from test_formats_ocr import assert_right_or_flagged
from test_formats_pdf import wrong_cells

from pipeline import limits
from pipeline.parse import parse_report
from pipeline.readers import detect_format
from pipeline.readers.ofd import read_ofd
from pipeline.render import random_ground_truth
from pipeline.render.ofd_writer import MM, write_ofd, write_scanned_ofd
from pipeline.render.pages import A4, layout_report
from pipeline.report import STATUS_FAILED, STATUS_OK

CASES = [(template, seed) for template in ("2021", "2019") for seed in range(6)]
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_every_cell_of_a_born_digital_ofd(template: str, seed: int) -> None:
    gt = random_ground_truth(random.Random(seed), template=template)
    ofd = write_ofd(layout_report(gt), title=gt.title)
    report = parse_report(ofd, "report.ofd")
    assert report.source_format == "ofd"
    assert (report.template, report.status) == (template, STATUS_OK), report.warnings
    assert not wrong_cells(report, gt)
    assert (report.year, report.agency) == (gt.year, gt.agency)
    assert {f.method for f in report.facts} == {"text"}


def test_ofd_is_detected_from_its_bytes() -> None:
    gt = random_ground_truth(random.Random(1))
    ofd = write_ofd(layout_report(gt))
    assert detect_format(ofd) == "ofd"
    assert parse_report(ofd, "report.zip", content_type="application/zip").source_format == "ofd"


def test_text_in_reading_order_with_its_title() -> None:
    gt = random_ground_truth(random.Random(2))
    document = read_ofd(write_ofd(layout_report(gt), title=gt.title))
    assert document.metadata["doc_title"] == gt.title
    title = gt.title.replace("\n", "")
    lines = document.text.splitlines()
    assert title.startswith(lines[0]) and title in "".join(lines[:2])  # printed on one or two lines
    assert len(document.tables) == 3


# ---------------------------------------------------------------------------------------------
# Hand-written packages: what other producers write
# ---------------------------------------------------------------------------------------------


def _package(files: dict[str, str], doc_root: str = "Doc_0/Document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(
            "OFD.xml",
            f"<ofd:OFD {NS} Version='1.0' DocType='OFD'><ofd:DocBody><ofd:DocInfo><ofd:Title>t</ofd:Title>"
            f"</ofd:DocInfo><ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        for name, text in files.items():
            package.writestr(name, text)
    return out.getvalue()


def _document(page_locations: list[str], template: str = "") -> str:
    pages = "".join(f"<ofd:Page ID='{10 + n}' BaseLoc='{loc}'/>" for n, loc in enumerate(page_locations))
    return (
        f"<ofd:Document {NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
        f"</ofd:PageArea>{template}</ofd:CommonData><ofd:Pages>{pages}</ofd:Pages></ofd:Document>"
    )


def _page(objects: str, template_ref: str = "") -> str:
    layer = f"<ofd:Content><ofd:Layer ID='1'>{objects}</ofd:Layer></ofd:Content>"
    return f"<ofd:Page {NS}>{template_ref}{layer}</ofd:Page>"


# A 2 × 2 table at (20, 20), 40 × 20 mm: a closed rectangle path, a line between the columns and
# a thin filled rectangle between the rows of the second column (the first is one rowspan cell).
TABLE_PATHS = (
    "<ofd:PathObject ID='2' Boundary='20 20 40 20'><ofd:AbbreviatedData>M 0 0 L 40 0 L 40 20 L 0 20 C"
    "</ofd:AbbreviatedData></ofd:PathObject>"
    "<ofd:PathObject ID='3' Boundary='40 30 20 0.2' Fill='true' Stroke='false'/>"
    "<ofd:PathObject ID='4' Boundary='40 20 0.2 20'/>"
)


def test_a_text_object_scaled_by_its_ctm_lands_in_its_cell() -> None:
    # Size 30 brought down to 3 mm by the CTM, as producers set vertical and scaled text; the
    # characters of the first column advance downwards (DeltaY), the second cell's by DeltaX.
    text = (
        "<ofd:TextObject ID='5' Boundary='24 21 4 18' Font='1' Size='30' CTM='0.1 0 0 0.1 0 0'>"
        "<ofd:TextCode X='0' Y='26.4' DeltaY='g 3 30'>本年度办</ofd:TextCode></ofd:TextObject>"
        "<ofd:TextObject ID='6' Boundary='42 22 16 4' Font='1' Size='3'>"
        "<ofd:TextCode X='0' Y='2.64' DeltaX='g 3 3'>予以公开</ofd:TextCode></ofd:TextObject>"
    )
    ofd = _package(
        {
            "Doc_0/Document.xml": _document(["Pages/Page_0/Content.xml"]),
            "Doc_0/Pages/Page_0/Content.xml": _page(TABLE_PATHS + text),
        }
    )
    (grid,) = read_ofd(ofd).tables
    assert grid.texts() == [["本年度办", "予以公开"], ["本年度办", ""]]


@pytest.mark.parametrize("location", ["Doc_0/Pages/Page_0/Content.xml", "/Doc_0/Pages/Page_0/Content.xml"])
def test_locations_written_from_the_package_root(location: str) -> None:
    text = (
        "<ofd:TextObject ID='6' Boundary='22 22 16 4' Font='1' Size='3'>"
        "<ofd:TextCode X='0' Y='2.64'>项目</ofd:TextCode></ofd:TextObject>"
    )
    ofd = _package(
        {
            "Doc_0/Document.xml": _document([location]),
            "Doc_0/Pages/Page_0/Content.xml": _page(TABLE_PATHS + text),
        }
    )
    (grid,) = read_ofd(ofd).tables
    assert grid.rows[0][0].text == "项目"


def test_template_pages_are_part_of_the_page() -> None:
    template = "<ofd:TemplatePage ID='7' BaseLoc='Tpls/Tpl_0/Content.xml'/>"
    ofd = _package(
        {
            "Doc_0/Document.xml": _document(["Pages/Page_0/Content.xml"], template),
            "Doc_0/Tpls/Tpl_0/Content.xml": _page(TABLE_PATHS),
            "Doc_0/Pages/Page_0/Content.xml": _page(
                "<ofd:TextObject ID='6' Boundary='42 32 16 4' Font='1' Size='3'>"
                "<ofd:TextCode X='0' Y='2.64'>12</ofd:TextCode></ofd:TextObject>",
                "<ofd:Template TemplateID='7'/>",
            ),
        }
    )
    (grid,) = read_ofd(ofd).tables
    assert grid.rows[1][1].text == "12"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"Doc_0/Document.xml": "<ofd:Document"}, "not well-formed"),
        ({}, "missing"),
        ({"Doc_0/Document.xml": _document(["Pages/Page_0/Content.xml"])}, "missing"),
    ],
)
def test_a_broken_package_is_a_failed_report(files: dict[str, str], message: str) -> None:
    report = parse_report(_package(files), "broken.ofd")
    assert report.status == STATUS_FAILED
    assert report.error and message in report.error and "\n" not in report.error


def test_too_many_pages_is_a_named_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PDF_MAX_PAGES", 2)
    gt = random_ground_truth(random.Random(4))
    report = parse_report(write_ofd(layout_report(gt)), "long.ofd")
    assert report.status == STATUS_FAILED
    assert report.error == "budget exceeded: OFD pages needs 4, allowed 2"


# ---------------------------------------------------------------------------------------------
# Scanned OFD: image pages through OCR, as a scanned PDF
# ---------------------------------------------------------------------------------------------


def test_scanned_ofd_reads_like_a_scanned_pdf(convert_cache: None) -> None:  # noqa: F811
    gt = ground_truth(33, "2021")
    pages = page_images(to_pdf(docx_of(gt)))
    ofd = write_scanned_ofd([png(p) for p in pages], (A4[0] * MM, A4[1] * MM))
    report = parse_report(ofd, "scan.ofd")
    assert report.source_format == "ofd"
    assert report.metadata["ocr_pages"] == ",".join(str(n) for n in range(1, len(pages) + 1))
    assert (report.template, report.year, report.agency) == ("2021", gt.year, gt.agency)
    assert_right_or_flagged(report, gt)
    scanned_pdf = parse_report(image_pdf(pages), "scan.pdf")
    assert abs(len(wrong_cells(report, gt)) - len(wrong_cells(scanned_pdf, gt))) <= 0.02 * len(report.facts)


@pytest.mark.parametrize(
    ("size", "deltas"),
    [("big", ""), ("3", " DeltaX='g x 3'"), ("3", " DeltaX='g 1e9 3'")],
)
def test_damaged_numbers_are_a_failed_report(size: str, deltas: str) -> None:
    text_object = (
        f"<ofd:TextObject ID='5' Boundary='1 1 10 4' Size='{size}'>"
        f"<ofd:TextCode X='0' Y='3'{deltas}>项目</ofd:TextCode></ofd:TextObject>"
    )
    ofd = _package(
        {
            "Doc_0/Document.xml": _document(["Pages/Page_0/Content.xml"]),
            "Doc_0/Pages/Page_0/Content.xml": _page(text_object),
        }
    )
    report = parse_report(ofd, "damaged.ofd")
    assert report.status == STATUS_FAILED
    assert report.error and report.error.startswith("OFD") and "\n" not in report.error
