"""`nianbao grep`: 2-character words (财政, 不予) with agency, year, line and URL; filters by year,
region and agency; ripgrep and the pure-Python fallback agree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_datasets import FINANCE, GOVERNMENT, Built

from pipeline.cli import main as cli_main
from pipeline.search import Match, search

ENGINES = ["python", pytest.param("rg", marks=pytest.mark.skipif(shutil.which("rg") is None, reason="no rg"))]


@pytest.fixture(scope="module")
def reports(built: Built) -> pd.DataFrame:
    return pd.read_parquet(built.out / "parquet" / "reports").set_index("text_path")


def hits(out: Path, pattern: str, **kw: object) -> set[Match]:
    return set(search(out, pattern, **kw))  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
def test_two_character_words_with_agency_year_line_and_url(
    built: Built, reports: pd.DataFrame, engine: str
) -> None:
    for word in ("财政", "不予"):
        found = hits(built.out, word, engine=engine)
        assert found, word
        for m in found:
            report = reports.loc[m.path]
            assert word in m.line
            assert (m.year, m.agency_id, m.agency_name, m.url) == (
                int(report["year"]),
                report["agency_id"],
                report["agency_name"],
                report["url"],
            )
            lines = (built.out / m.path).read_text(encoding="utf-8").splitlines()
            assert lines[m.line_no - 1] == m.line
    assert {m.url for m in hits(built.out, "财政", engine=engine)} >= {
        f"http://{FINANCE.host}/zwgk/nb/{y}.html" for y in (2022, 2023)
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_filters(built: Built, engine: str) -> None:
    everything = hits(built.out, "不予", engine=engine)
    by_year = hits(built.out, "不予", year=2022, engine=engine)
    assert by_year and {m.year for m in by_year} == {2022}
    by_region = hits(built.out, "不予", region=GOVERNMENT.region_code, engine=engine)
    assert by_region and {m.url for m in by_region} == {built.corrected_url}
    assert hits(built.out, "不予", region="2308", engine=engine) == everything
    by_agency = hits(built.out, "不予", agency="财政", engine=engine)
    assert by_agency and all(FINANCE.host in m.url for m in by_agency)
    assert not hits(built.out, "不予", year=1999, engine=engine)


def test_engines_agree_and_skip_the_header(built: Built) -> None:
    if shutil.which("rg") is None:
        pytest.skip("no rg")
    for pattern, fixed in (("不予公开|财政", False), ("（三）", True), ("[0-9]+件", False)):
        assert hits(built.out, pattern, fixed=fixed, engine="rg") == hits(
            built.out, pattern, fixed=fixed, engine="python"
        )
    assert not hits(built.out, "网址 URL", engine="python")


def test_cli_prints_tab_separated_matches(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["grep", "财政", "--out", str(built.out), "--year", "2023"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines
    for line in lines:
        year, _agency, text, url, where = line.split("\t")
        assert (
            year == "2023" and "财政" in text and url.startswith("http://") and where.startswith("text/2023/")
        )
    assert cli_main(["grep", "没有这个词语", "--out", str(built.out)]) == 1
    assert cli_main(["grep", "财政", "--out", str(built.out / "missing")]) == 2
