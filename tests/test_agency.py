"""Agency identity: real names from reports, ambiguous district names, evidence from 索引号 and
SiteIDCode, stable ASCII ids, and no exception on any input."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.agency import (
    _DEPARTMENTS,
    _MINISTRIES,
    AGENCY_TYPES,
    AgencyHints,
    AgencyIdentity,
    _table,
    parse_index_no,
    resolve_agency,
)
from pipeline.metadata import read_metadata

SEED = Path(__file__).parent / "fixtures" / "seed" / "000_27ef94279877d414.txt"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def resolve(**hints: Any) -> AgencyIdentity:
    return resolve_agency(AgencyHints(**hints))


# --- 前进区 (the seed report) ----------------------------------------------------------------------


def test_registry_code_decides() -> None:
    agency = resolve(title_agency="前进区人民政府", registry_region_code="230804")
    assert agency.agency_id == "230804-gov"
    assert agency.agency_name == "佳木斯市前进区人民政府"
    assert (agency.agency_type, agency.scope, agency.level) == ("gov", "region_aggregate", "county")
    assert agency.region_name == "黑龙江省/佳木斯市/前进区"
    assert agency.resolved and agency.warnings == []


def test_full_name_alone_decides() -> None:
    agency = resolve(agency_full="佳木斯市前进区人民政府")
    assert agency.agency_id == "230804-gov"
    assert agency.region_code == "230804"


def test_seed_report_metadata_resolves() -> None:
    text = SEED.read_text(encoding="utf-8")
    meta = read_metadata(text, {}, True)
    lines = [line for line in text.splitlines() if line.strip()]
    agency = resolve(
        title_agency=meta.agency,
        agency_full=meta.agency_full,
        preamble="\n".join(lines[:4]),
        signature="\n".join(lines[-4:]),
        year=meta.year,
    )
    assert agency.agency_id == "230804-gov"
    assert agency.scope == "region_aggregate"
    assert "前进区人民政府" in agency.raw_names


# --- 河东区: one name, two districts ---------------------------------------------------------------


def test_ambiguous_name_gets_a_fallback_id_and_a_warning() -> None:
    agency = resolve(title_agency="河东区人民政府")
    assert not agency.resolved
    assert re.fullmatch(r"x-[0-9a-f]{10}", agency.agency_id)
    assert agency.region_code is None
    assert any(w.startswith("ambiguous_region:120102,371312") for w in agency.warnings)
    assert resolve(title_agency="河东区政府").agency_id == agency.agency_id  # 政府 = 人民政府


def test_parent_place_in_the_full_name() -> None:
    agency = resolve(title_agency="河东区人民政府", agency_full="天津市河东区人民政府")
    assert agency.agency_id == "120102-gov"
    assert agency.region_name == "天津市/河东区"


def test_site_id_code_chooses() -> None:
    agency = resolve(title_agency="河东区人民政府", site_id_code="3713120001")
    assert agency.agency_id == "371312-gov"
    assert agency.site_id_code == "3713120001"


def test_signature_chooses() -> None:
    agency = resolve(title_agency="河东区人民政府", signature="临沂市河东区人民政府\n2024年1月20日")
    assert agency.agency_id == "371312-gov"


def test_preamble_chooses() -> None:
    preamble = "本报告由天津市河东区人民政府办公室编制。"
    assert resolve(title_agency="河东区人民政府", preamble=preamble).agency_id == "120102-gov"


def test_site_of_a_city_chooses_its_district() -> None:
    """佳木斯's portal hosts 郊区's report; 郊区 is also in 阳泉, 铜陵 …"""
    agency = resolve(title_agency="郊区人民政府", site_id_code="2308000001")
    assert agency.agency_id == "230811-gov"


def test_site_id_contradicting_the_name_is_reported_not_followed() -> None:
    agency = resolve(agency_full="佳木斯市前进区人民政府", site_id_code="3713120001")
    assert agency.agency_id == "230804-gov"
    assert "site_id_region_differs_from_names:371312" in agency.warnings


# --- 索引号 ----------------------------------------------------------------------------------------


def test_uscc_from_index_no() -> None:
    uscc, org_code, warnings = parse_index_no("11341702486344515H/202110-00013")
    assert (uscc, org_code, warnings) == ("11341702486344515H", "486344515", [])
    agency = resolve(title_agency="商务局", index_no="11341702486344515H/202110-00013")
    assert agency.uscc == "11341702486344515H"
    assert agency.org_code == "486344515"
    assert agency.region_code == "341702"  # characters 3-8: 池州市贵池区
    assert agency.agency_id == "341702-dept-shangwj"


def test_uscc_chooses_among_name_candidates() -> None:
    agency = resolve(title_agency="河东区人民政府", index_no="11371312MB2854078Y/2023-00001")
    assert agency.agency_id == "371312-gov"


def test_uscc_contradicting_the_name_leaves_it_unresolved() -> None:
    agency = resolve(agency_full="佳木斯市前进区人民政府", index_no="11341702486344515H/202110-00013")
    assert not agency.resolved
    assert "uscc_region_differs_from_names:341702" in agency.warnings


@pytest.mark.parametrize(
    ("index_no", "org_code"),
    [
        ("014314799/2024-00002", "014314799"),
        ("014416330/2018-04736", "014416330"),
        ("K45899617/2026-00221", "K45899617"),
    ],
)
def test_org_code_from_index_no(index_no: str, org_code: str) -> None:
    assert parse_index_no(index_no) == (None, org_code, [])


@pytest.mark.parametrize(
    "index_no", ["hedongquhd0101/2025-0000004", "WQX001-2021-000086", "00000001/2017-1", ""]
)
def test_local_index_numbers_carry_no_code(index_no: str) -> None:
    assert parse_index_no(index_no) == (None, None, [])


def test_bad_check_digits_are_dropped() -> None:
    uscc, org_code, warnings = parse_index_no("11341702486344515X/202110-00013")
    assert (uscc, org_code) == (None, None)
    assert warnings == ["index_no_bad_check_digit:11341702486344515X"]


def test_unknown_uscc_region_is_ignored() -> None:
    """丽水's USCCs carry 332500, the code of the former 丽水地区 (domain notes §7.2)."""
    agency = resolve(title_agency="河东区人民政府", index_no="113325000026455663")
    assert "uscc_region_unknown:332500" in agency.warnings
    assert not agency.resolved


# --- types -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hints", "agency_id", "agency_type", "scope"),
    [
        ({"agency_full": "佳木斯市前进区人民政府办公室"}, "230804-gov-office", "gov_office", "agency"),
        (
            {"title_agency": "前进区政府办", "registry_region_code": "230804"},
            "230804-gov-office",
            "gov_office",
            "agency",
        ),
        (
            {"title_agency": "区政府办公室", "site_id_code": "2308040001"},
            "230804-gov-office",
            "gov_office",
            "agency",
        ),
        ({"title_agency": "沭阳县发展和改革局"}, "321322-dept-fgj", "dept", "agency"),
        ({"title_agency": "沭阳县发改局"}, "321322-dept-fgj", "dept", "agency"),
        ({"title_agency": "县发展改革局", "site_id_code": "3213220037"}, "321322-dept-fgj", "dept", "agency"),
        ({"title_agency": "防城港市教育局"}, "450600-dept-jyj", "dept", "agency"),
        ({"title_agency": "乌恰县文化体育广播电视和旅游局"}, "653024-dept-wtglj", "dept", "agency"),
        ({"title_agency": "国家税务总局沭阳县税务局"}, "321322-dept-shuiwj", "dept", "agency"),
        ({"title_agency": "佳木斯市人民政府"}, "230800-gov", "gov", "region_aggregate"),
        ({"title_agency": "黑龙江省人民政府办公厅"}, "230000-gov-office", "gov_office", "agency"),
        ({"title_agency": "退役军人事务部"}, "bm-tyjrswb", "ministry", "agency"),
        ({"title_agency": "工业和信息化部", "site_id_code": "bm07000001"}, "bm-gxb", "ministry", "agency"),
        ({"title_agency": "国家国际发展合作署"}, "bm-gjfzhzs", "ministry", "agency"),
    ],
)
def test_agency_types(hints: dict, agency_id: str, agency_type: str, scope: str) -> None:
    agency = resolve(**hints)
    assert (agency.agency_id, agency.agency_type, agency.scope) == (agency_id, agency_type, scope)


def test_office_compiling_the_region_report_is_the_region_aggregate() -> None:
    agency = resolve(
        title_agency="区政府办公室",
        site_id_code="2308040001",
        preamble="本报告由区政府办公室汇总全区各单位政府信息公开年度报告编制而成。",
    )
    assert (agency.agency_id, agency.scope) == ("230804-gov", "region_aggregate")
    assert "office_report_aggregates_region" in agency.warnings


def test_streets_towns_and_townships_use_their_county_code() -> None:
    street = resolve(agency_full="佳木斯市前进区经纬街道办事处")
    assert street.agency_id.startswith("230804-street-jingwei-")
    assert (street.agency_type, street.level, street.agency_name) == (
        "street",
        "township",
        "前进区经纬街道办事处",
    )
    assert resolve(title_agency="经纬街道", registry_region_code="230804").agency_id == street.agency_id
    town = resolve(title_agency="东莞市石龙镇人民政府")
    assert town.agency_id.startswith("441900-town-shilong-")
    township = resolve(title_agency="吾合沙鲁乡人民政府", site_id_code="6530240001")
    assert township.agency_id.startswith("653024-township-wuheshalu-")
    assert township.agency_name == "乌恰县吾合沙鲁乡人民政府"


def test_streets_with_the_same_pinyin_get_different_ids() -> None:
    a = resolve(title_agency="新华街道", registry_region_code="230804").agency_id
    b = resolve(title_agency="新化街道", registry_region_code="230804").agency_id
    assert a != b and a.startswith("230804-street-xinhua-") and b.startswith("230804-street-xinhua-")


def test_development_zone() -> None:
    agency = resolve(title_agency="井冈山经济技术开发区管委会")
    assert agency.agency_type == "dev_zone"
    assert agency.region_code == "360881"
    assert agency.agency_id == resolve(title_agency="井冈山经开区管理委员会").agency_id
    assert re.fullmatch(r"360881-zone-jgsjkq-[0-9a-f]{4}", agency.agency_id)


def test_unknown_department_gets_a_hashed_slug() -> None:
    agency = resolve(title_agency="沭阳县扶贫开发领导小组办公室")
    assert re.fullmatch(r"321322-dept-[a-z]+-[0-9a-f]{4}", agency.agency_id)


def test_unknown_place_is_not_replaced_by_the_site() -> None:
    agency = resolve(title_agency="某某县人民政府", site_id_code="3213220037")
    assert not agency.resolved
    assert agency.agency_name == "某某县人民政府"
    assert agency.agency_id == resolve(title_agency="某某县政府").agency_id


def test_generic_names_without_evidence_are_told_apart_by_host() -> None:
    tianjin = resolve(title_agency="区政府办公室", url="https://www.tjhd.gov.cn/zwgk/1.html")
    linyi = resolve(title_agency="区政府办公室", url="http://www.hedong.gov.cn/2.html")
    assert not tianjin.resolved and tianjin.agency_id != linyi.agency_id
    assert tianjin.agency_name == "区政府办公室"
    assert "fallback_id_includes_host" in tianjin.warnings


def test_bracketed_second_name_is_dropped() -> None:
    agency = resolve(title_agency="沭阳县卫生健康局（医疗保障局）")
    assert (agency.agency_id, agency.agency_name) == ("321322-dept-wjj", "宿迁市沭阳县卫生健康局")


def test_no_name_at_all() -> None:
    agency = resolve(url="https://example.gov.cn/a.html")
    assert not agency.resolved
    assert agency.warnings == ["no_agency_name"]
    assert agency.agency_id.startswith("x-")


# --- stability -------------------------------------------------------------------------------------


def test_ids_are_stable_across_years_and_renumbering() -> None:
    """射洪县 (510922) became 射洪市 (510981) in 2019: one id for both."""
    before = resolve(agency_full="遂宁市射洪县人民政府", year=2018)
    after = resolve(agency_full="遂宁市射洪市人民政府", year=2021)
    assert before.agency_id == after.agency_id == "510981-gov"
    assert (before.region_code, after.region_code) == ("510922", "510981")
    assert before.agency_name == "遂宁市射洪县人民政府"


@pytest.mark.parametrize(
    "hints",
    [
        {"agency_full": "佳木斯市前进区人民政府"},
        {"title_agency": "河东区人民政府", "site_id_code": "3713120001"},
        {"title_agency": "沭阳县发展和改革局"},
        {"agency_full": "佳木斯市前进区经纬街道办事处"},
        {"title_agency": "河东区人民政府"},
    ],
)
def test_same_hints_give_the_same_id_every_year(hints: dict) -> None:
    ids = {resolve(**hints, year=year).agency_id for year in range(2008, 2026)}
    assert len(ids) == 1


def test_merged_districts_keep_apart() -> None:
    """梅列区 was merged into 三元区 in 2021: their 2020 reports must not share an id."""
    meilie = resolve(agency_full="三明市梅列区人民政府", year=2020)
    sanyuan = resolve(agency_full="三明市三元区人民政府", year=2020)
    assert meilie.agency_id == "350402-gov"
    assert (
        sanyuan.agency_id == "350404-gov" == resolve(agency_full="三明市三元区人民政府", year=2022).agency_id
    )


def test_table_slugs_are_unique() -> None:
    for spec in (_DEPARTMENTS, _MINISTRIES):
        slugs = {short: slug for short, slug in _table(spec).values()}
        assert len(set(slugs.values())) == len(slugs), spec[:20]
        assert all(ID_RE.fullmatch(s) for s in slugs.values())


# --- robustness ------------------------------------------------------------------------------------

_text = st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["河东区", "前进区人民政府", "bm01", "1"]))


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        AgencyHints,
        registry_agency=_text,
        registry_region_code=st.one_of(_text, st.sampled_from(["230804", "371312", "000000"])),
        registry_level=_text,
        title_agency=_text,
        agency_full=_text,
        publisher=_text,
        preamble=_text,
        signature=_text,
        index_no=st.one_of(_text, st.just("11341702486344515H/202110-00013")),
        site_id_code=st.one_of(_text, st.sampled_from(["3213220037", "bm07000001"])),
        year=st.one_of(st.none(), st.integers(min_value=-10, max_value=10**6)),
        url=_text,
    )
)
def test_resolve_agency_never_raises(hints: AgencyHints) -> None:
    agency = resolve_agency(hints)
    assert ID_RE.fullmatch(agency.agency_id), agency.agency_id
    assert agency.agency_type in AGENCY_TYPES
    assert agency.scope in ("agency", "region_aggregate")
    hinted = "agency_from_registry_only" in agency.warnings
    assert agency.resolved or agency.agency_id.startswith("x-") or hinted


# --- the document names the agency; the registry is a hint ------------------------------------------


def test_document_wins_over_the_registry() -> None:
    """A city portal (宿迁, 321300) hosting another place's report: the title decides, both names kept."""
    agency = resolve(
        title_agency="道里区人民政府",
        agency_full="哈尔滨市道里区人民政府",
        registry_agency="宿迁市人民政府",
        registry_region_code="321300",
    )
    assert agency.agency_id == "230102-gov" and agency.resolved
    assert "registry_region_differs_from_document:321300" in agency.warnings
    assert "document_differs_from_registry:宿迁市人民政府->哈尔滨市道里区人民政府" in agency.warnings


def test_city_portal_hosts_its_districts_and_departments() -> None:
    registry = {"registry_agency": "宿迁市人民政府", "registry_region_code": "321300"}
    district = resolve(title_agency="沭阳县人民政府", **registry)
    department = resolve(title_agency="宿迁市财政局", **registry)
    own = resolve(title_agency="宿迁市人民政府", **registry)
    assert (district.agency_id, department.agency_id, own.agency_id) == (
        "321322-gov",
        "321300-dept-czj",
        "321300-gov",
    )
    assert all(a.resolved for a in (district, department, own))
    assert not any(w.startswith("document_differs") for w in own.warnings)
    assert "document_differs_from_registry:宿迁市人民政府->宿迁市沭阳县人民政府" in district.warnings


def test_registry_alone_is_a_hint_not_evidence() -> None:
    agency = resolve(registry_agency="宿迁市人民政府", registry_region_code="321300")
    assert agency.agency_id == "321300-gov"
    assert not agency.resolved
    assert "agency_from_registry_only" in agency.warnings


def test_name_without_place_takes_the_registry_region() -> None:
    agency = resolve(title_agency="区教育局", registry_agency="长安区人民政府", registry_region_code="610116")
    assert agency.agency_id == "610116-dept-jyj" and agency.resolved
    assert "region_from_registry:610116" in agency.warnings
