"""The GB/T 2260 table: lookups by code and year, names with parents, successors of retired codes."""

from __future__ import annotations

import csv
from collections.abc import Iterable

import pytest

from pipeline.regions import (
    DATA,
    Region,
    chain_candidates,
    find_regions,
    is_within,
    newest_revision,
    region,
    revisions,
    short_name,
    split_places,
    stable_code,
    successor,
    text_supports,
)


def codes(regions: Iterable[Region]) -> list[str]:
    return [r.code for r in regions]


def known(code: str, year: int | None = None) -> Region:
    """region() of a code the table has (a missing one fails here, naming the code)."""
    found = region(code, year)
    assert found is not None, f"{code} ({year}) not in the table"
    return found


def test_region_carries_its_hierarchy() -> None:
    r = known("230804")
    assert (r.name, r.level, r.province, r.city, r.county) == (
        "前进区",
        "county",
        "黑龙江省",
        "佳木斯市",
        "前进区",
    )
    assert r.path == "黑龙江省/佳木斯市/前进区"
    assert r.current
    city = known("230800")
    assert (city.level, city.province, city.city, city.county) == ("city", "黑龙江省", "佳木斯市", None)
    assert known("230000").level == "province"


def test_municipal_districts_and_province_administered_counties_have_no_city() -> None:
    assert known("120102").path == "天津市/河东区"
    assert known("429004").path == "湖北省/仙桃市"  # 省直辖县级行政单位


def test_unknown_codes() -> None:
    assert region("999999") is None
    assert region("") is None
    assert region("110100") is None  # a 市辖区 placeholder of the MCA lists, not a division


def test_a_renamed_code_names_what_it_was_that_year() -> None:
    assert known("420600", 2009).name == "襄樊市"
    assert known("420600", 2015).name == "襄阳市"
    assert known("420606", 2009).city == "襄樊市"  # parents are those of the same time
    assert known("420606", 2020).city == "襄阳市"


def test_a_code_is_only_in_force_in_its_years() -> None:
    assert known("510922", 2018).name == "射洪县"
    assert region("510981", 2010) is None  # 射洪市 came in 2019
    assert known("510981", 2021).name == "射洪市"
    assert known("510922").last == "201904"  # retired codes stay resolvable without a year
    assert not known("510922").current


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("前进区", ["230804"]),
        ("佳木斯市前进区", ["230804"]),
        ("佳木斯前进区", ["230804"]),
        ("黑龙江省佳木斯市前进区", ["230804"]),
        ("黑龙江佳木斯前进区", ["230804"]),
        ("佳木斯", ["230800"]),
        ("延边", ["222400"]),
        ("广西", ["450000"]),
        ("天津河东区", ["120102"]),
        ("临沂市河东区", ["371312"]),
    ],
)
def test_find_regions_by_full_and_short_names(name: str, expected: list[str]) -> None:
    assert codes(find_regions(name)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("河东区", ["120102", "371312"]),
        ("朝阳区", ["110105", "220104"]),
        ("和平区", ["120101", "210102"]),
        ("铁西区", ["210106", "210303", "220302"]),
        ("长安区", ["130102", "610116"]),
        ("青山区", ["150204", "420107"]),
    ],
)
def test_repeated_district_names_are_all_returned(name: str, expected: list[str]) -> None:
    """domain-notes quirk 32: a district name alone never decides."""
    assert codes(find_regions(name)) == expected


def test_find_regions_within_a_parent() -> None:
    assert codes(find_regions("河东区", within="370000")) == ["371312"]
    assert codes(find_regions("河东区", within="371300")) == ["371312"]
    assert codes(find_regions("河东区", within="120000")) == ["120102"]
    assert codes(find_regions("铁西区", within="210000")) == ["210106", "210303"]
    assert find_regions("河东区", within="230800") == []


def test_find_regions_by_year() -> None:
    assert codes(find_regions("铜仁市", year=2010)) == ["522201"]  # a county-level city then
    assert codes(find_regions("铜仁市", year=2015)) == ["520600"]
    assert find_regions("襄樊市", year=2015) == []
    assert codes(find_regions("襄樊市", year=2009)) == ["420600"]
    assert codes(find_regions("射洪县", year=2019)) == ["510922"]  # both names may apply in 2019
    assert codes(find_regions("射洪市", year=2019)) == ["510981"]


def test_short_names() -> None:
    assert short_name("佳木斯市") == "佳木斯"
    assert short_name("延边朝鲜族自治州") == "延边"
    assert short_name("黔东南苗族侗族自治州") == "黔东南"
    assert short_name("广西壮族自治区") == "广西"
    assert short_name("新疆维吾尔自治区") == "新疆"
    assert short_name("内蒙古自治区") == "内蒙古"
    assert short_name("香港特别行政区") == "香港"


def test_split_places() -> None:
    assert split_places("佳木斯市前进区人民政府") == (["佳木斯市", "前进区"], "人民政府")
    assert split_places("天津市河东区人民政府办公室") == (["天津市", "河东区"], "人民政府办公室")
    assert split_places("沭阳县发展和改革局") == (["沭阳县"], "发展和改革局")
    assert split_places("区政府办公室") == ([], "区政府办公室")
    assert split_places("市场监督管理局") == ([], "市场监督管理局")


def test_chain_candidates_use_the_parent_place() -> None:
    assert chain_candidates(["天津市", "河东区"]) == ["120102"]
    assert chain_candidates(["临沂", "河东区"]) == ["371312"]
    assert chain_candidates(["河东区"]) == ["120102", "371312"]
    assert chain_candidates(["佳木斯市", "河东区"]) == ["120102", "371312"]  # contradiction: no narrowing
    assert chain_candidates([]) == []


def test_text_supports_needs_a_parent_next_to_the_name() -> None:
    assert text_supports("371312", "特此公告。临沂市河东区人民政府办公室")
    assert not text_supports("120102", "特此公告。临沂市河东区人民政府办公室")
    assert not text_supports("371312", "河东区人民政府")


def test_is_within() -> None:
    assert is_within("230804", "230800")
    assert is_within("230804", "230000")
    assert is_within("230804", "230804")
    assert not is_within("230804", "230700")
    assert is_within("230804", "23")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("510922", "510981"),  # 射洪县 -> 射洪市, same name stem
        ("130521", "130503"),  # 邢台县 merged into 信都区 (changes.tsv)
        ("350402", "350404"),  # 梅列区 merged into the new 三元区
        ("350403", "350404"),  # the old 三元区 renumbered
        ("542623", "540481"),  # 米林县 542623 -> 540422 (2015) -> 米林市 540481: a chain
        ("220381", "220184"),  # 公主岭市 moved from 四平 to 长春
        ("371200", "370100"),  # 莱芜市 merged into 济南市
        ("230804", "230804"),  # current codes are their own successor
        ("999999", "999999"),
    ],
)
def test_successor(old: str, new: str) -> None:
    assert successor(old) == new


def test_codes_without_a_single_successor_stay() -> None:
    assert successor("130421") == "130421"  # 邯郸县, split in 2016
    assert successor("500105") == "500105"  # 江北区: the 2025 change is not confirmed


def test_stable_code_follows_the_same_unit_only() -> None:
    assert stable_code("510922") == "510981"
    assert stable_code("350403") == "350404"
    assert stable_code("350402") == "350402"  # 梅列区 was absorbed: it keeps its own code
    assert stable_code("542623") == "540481"


def test_every_retired_code_is_accounted_for() -> None:
    """Each code missing from the newest revision has a row in successors.tsv, and every successor
    is a code of the table."""
    with (DATA / "successors.tsv").open(encoding="utf-8") as handle:
        links = {row["old_code"]: row for row in csv.DictReader(handle, delimiter="\t")}
    with (DATA / "gb2260.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    current = {row["code"] for row in rows if row["last"] == newest_revision()}
    retired = {row["code"] for row in rows} - current
    assert set(links) == retired
    assert all(region(link["successor"]) for link in links.values() if link["successor"])
    assert all(
        successor(code) in current
        for code, link in links.items()
        if link["kind"] != "split" and link["successor"] and code not in {"500105", "500112"}
    )


def test_revisions_span_2008_to_2025() -> None:
    order = revisions()
    assert order[0] == "200812"
    assert order[-1] == newest_revision() == "202512"
    assert list(order) == sorted(order)
    assert {"201912", "202012", "202112"} <= set(order)
