"""The 2019 trial template (国办公开办函〔2019〕60号) in every format, and the 2019–2021 crosswalk.

All 198 cells must parse from each rendering (the scanned 2019 report is in test_formats_ocr);
pipeline/data/crosswalk-2019-2021.csv must account for every cell of both codebooks.
"""

from __future__ import annotations

import csv
import random
from importlib import resources

import pytest
from test_formats_corpus import convert_cache, docx_of, ground_truth, to_doc, to_pdf, to_xls  # noqa: F401
from test_formats_pdf import wrong_cells

from pipeline.codebook import load_codebook
from pipeline.parse import parse_report
from pipeline.render import STYLES, render_html, render_text, render_xlsx
from pipeline.report import STATUS_OK

RELATIONS = {"same", "approx", "sum", "none"}


def renderings(seed: int) -> dict[str, bytes]:
    gt = ground_truth(seed, "2019")
    rng = random.Random(seed)
    out = {f"html-{style}": render_html(gt, style=style, rng=rng) for style in STYLES}
    out |= {"text": render_text(gt, rng=rng), "xlsx": render_xlsx(gt, rng=rng), "docx": docx_of(gt)}
    return out


@pytest.mark.parametrize("seed", [41, 42])
def test_all_198_cells_from_born_digital_formats(seed: int) -> None:
    gt = ground_truth(seed, "2019")
    for name, data in renderings(seed).items():
        report = parse_report(data, name)
        assert (report.template, report.status, len(report.facts)) == ("2019", STATUS_OK, 198), name
        assert not wrong_cells(report, gt), name


@pytest.mark.parametrize("seed", [43, 44])
def test_all_198_cells_from_converted_formats(convert_cache: None, seed: int) -> None:  # noqa: F811
    gt = ground_truth(seed, "2019")
    docx = docx_of(gt)
    for name, data in (("pdf", to_pdf(docx)), ("doc", to_doc(docx)), ("xls", to_xls(gt))):
        report = parse_report(data, f"report.{name}")
        assert (report.template, report.status, len(report.facts)) == ("2019", STATUS_OK, 198), name
        assert not wrong_cells(report, gt), name
        assert "本年新制作数量" in report.template_evidence


# ---------------------------------------------------------------------------------------------
# The crosswalk
# ---------------------------------------------------------------------------------------------


def crosswalk() -> list[dict[str, str]]:
    text = resources.files("pipeline.data").joinpath("crosswalk-2019-2021.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _key(row: dict[str, str], year: str) -> tuple[str, str, str] | None:
    key = (row[f"section_{year}"], row[f"item_{year}"], row[f"column_{year}"])
    return key if all(key) else None


def test_crosswalk_accounts_for_every_cell_of_both_templates() -> None:
    rows = crosswalk()
    assert {r["relation"] for r in rows} <= RELATIONS
    keys_2019 = {k for r in rows if (k := _key(r, "2019"))}
    keys_2021 = {k for r in rows if (k := _key(r, "2021"))}
    assert keys_2019 == set(load_codebook("2019").keys)
    assert keys_2021 == set(load_codebook("2021").keys)
    for row in rows:
        if row["relation"] == "none":
            assert (_key(row, "2019") is None) != (_key(row, "2021") is None)  # one side only
        else:
            assert _key(row, "2019") and _key(row, "2021")


def test_crosswalk_agrees_with_the_2019_codebook() -> None:
    by_2019: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in crosswalk():
        if key := _key(row, "2019"):
            by_2019.setdefault(key, []).append(row)
    for cell in load_codebook("2019").cells:
        rows = by_2019[cell.key]
        relation = cell.relation_to_2021
        if relation == "same":
            assert [(r["relation"], _key(r, "2021")) for r in rows] == [("same", cell.key)]
        elif relation.startswith("approx"):
            assert [r["relation"] for r in rows] == ["approx"]
        elif relation.startswith("sum of"):
            parts = {p.strip() for p in relation.removeprefix("sum of").split(",")}
            assert {r["item_2021"] for r in rows} == parts and {r["relation"] for r in rows} == {"sum"}
        else:
            assert [r["relation"] for r in rows] == ["none"]
