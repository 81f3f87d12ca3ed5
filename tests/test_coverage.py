"""`nianbao sites coverage`: counts by level and province against the GB/T 2260 totals, and its chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import regions
from pipeline.cli import main
from pipeline.coverage import (
    CENTRAL,
    ScopeError,
    _scope_unit,
    coverage,
    format_coverage,
    format_scopes,
    scope_coverage,
    scope_units,
    write_chart,
)
from pipeline.registry import SiteEntry


def _entry(site_id: str, level: str, code: str | None, agency: str = "x") -> SiteEntry:
    return SiteEntry(
        id=site_id, agency=agency, start_urls=("https://www.example.gov.cn/",), level=level, region_code=code
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
    scope_lines = [line for line in out.splitlines() if not line.startswith((" ", "chart:"))][-3:]
    assert [line.rsplit(" ", 1)[0] for line in scope_lines] == [
        "provincial governments",
        "capitals and sub-provincial cities",
        "State Council departments",
    ]
    assert scope_lines[0].endswith("/31") and scope_lines[1].endswith("/32")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chart_is_not_blank(tmp_path: Path) -> None:
    from PIL import Image

    path = write_chart(coverage(ENTRIES), tmp_path / "c.png")
    colours = Image.open(path).convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20


# --- scopes ----------------------------------------------------------------------------------------

MUNICIPALITIES = {"11", "12", "31", "50"}


def test_the_city_scope_agrees_with_the_region_codes() -> None:
    """Each listed city's code is a current prefecture-level city of that name, every province but
    the 直辖市 has exactly one capital, and there are 15 sub-provincial cities."""
    units = scope_units("cities")
    for unit in units:
        assert unit.code is not None
        found = regions.region(unit.code)
        assert found is not None and found.current, unit
        assert (found.level, found.name) == ("city", unit.name)
    capitals = sorted(u.code[:2] for u in units if u.code and "capital" in u.kinds)
    provinces = sorted(r.code for r in coverage([]) if r.code and r.code not in MUNICIPALITIES)
    assert capitals == provinces
    assert sum("sub_provincial" in u.kinds for u in units) == 15


def test_the_state_council_scope_lists_the_2023_structure() -> None:
    units = scope_units("state_council")
    kinds = [u.kinds[0] for u in units]
    assert kinds.count("component") == 26  # 国务院组成部门 after the 2023 reform
    assert [kinds.count(k) for k in ("general_office", "special", "administrative_office")] == [1, 1, 1]
    assert [u.name for u in units if u.kinds == ("special",)] == ["国务院国有资产监督管理委员会"]
    assert all(u.code is None for u in units)


def test_scope_lines_count_matches_and_name_the_missing() -> None:
    entries = [
        _entry("hl-gov", "province", "230000"),
        _entry("hl-harbin", "city", "230100"),
        _entry("hl-harbin-fgw", "department", "230100"),  # a bureau is not the city's government
        _entry("ln-dalian-bgt", "county", "210200"),  # wrong level: not the city
        _entry("gov-mwr", "department", None, "水利部"),
        _entry("gov-moe-jg", "department", None, "教育部（机关）"),  # qualifier dropped
        _entry("gov-stats-dczd", "department", None, "国家统计局各调查总队"),  # not 国家统计局
        _entry("gov-xinhua", "department", None, "新华通讯社"),  # listed, not bound to report
    ]
    rows = coverage(entries)
    provinces, cities, council = scope_coverage(entries, rows)
    assert (len(provinces.covered), provinces.total) == (1, 31)
    assert provinces.covered == ("黑龙江省",) and "江苏省" in provinces.missing
    assert (cities.covered, cities.total) == (("哈尔滨市",), 32)
    assert "大连市" in cities.missing
    assert set(council.covered) == {"水利部", "教育部"}
    assert "国家统计局" in council.missing and "新华通讯社" not in council.missing + council.covered
    text = format_scopes([provinces, cities, council]).splitlines()
    assert text[0] == "provincial governments 1/31"
    assert text[1].startswith("  missing: 北京市, 天津市, ")
    assert text[2] == "capitals and sub-provincial cities 1/32"


def test_a_malformed_scope_entry_is_named() -> None:
    with pytest.raises(ScopeError, match=r"cities #3 \(太原市\): a city needs its six-digit code"):
        _scope_unit("cities", {"name": "太原市", "code": "1401", "kinds": ["capital"]}, 3)
    with pytest.raises(ScopeError, match="unknown kind"):
        _scope_unit("state_council", {"name": "水利部", "kind": "ministry"}, 1)
