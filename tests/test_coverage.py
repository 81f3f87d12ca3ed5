"""`nianbao sites coverage`: counts by level and province against the GB/T 2260 totals, and its chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.coverage import CENTRAL, coverage, format_coverage, write_chart
from pipeline.registry import SiteEntry


def _entry(site_id: str, level: str, code: str | None) -> SiteEntry:
    return SiteEntry(
        id=site_id, agency="x", start_urls=("https://www.example.gov.cn/",), level=level, region_code=code
    )


ENTRIES = [
    _entry("hl-gov", "province", "230000"),
    _entry("hl-jms", "city", "230800"),
    _entry("hl-jms-bgs", "city", "230800"),  # the city's office: the same city, counted once
    _entry("hl-jms-qianjin", "county", "230804"),
    _entry("hl-jms-dongfeng", "county", "230805"),
    _entry("hl-jms-fgw", "department", "230800"),
    _entry("hl-jms-town", "township", "230804"),
    _entry("gov-mwr", "department", None),
]


def test_counts_against_the_region_totals() -> None:
    rows = {r.name: r for r in coverage(ENTRIES)}
    assert len(rows) == 32  # 31 provinces and the central government
    hl = rows["黑龙江省"]
    assert hl.province and hl.cities == {"2308"} and hl.counties == {"230804", "230805"}
    assert (hl.departments, hl.townships, hl.entries) == (1, 1, 7)
    assert hl.cities_total == 13  # 12 prefecture-level cities and 大兴安岭地区
    assert rows[CENTRAL].departments == 1
    total = format_coverage(list(rows.values())).splitlines()[-1].split()
    assert total[:4] == ["total", "1/31", "1/333", "2/2845"]


def test_the_registry_coverage_command_writes_a_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "coverage.png"
    assert main(["sites", "coverage", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["province", "gov", "cities"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chart_is_not_blank(tmp_path: Path) -> None:
    from PIL import Image

    path = write_chart(coverage(ENTRIES), tmp_path / "c.png")
    colours = Image.open(path).convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20
