"""The sites registry loader, its host allow-list, the shipped data/sites.yaml and `nianbao sites`."""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from pipeline import regions
from pipeline.cli import main
from pipeline.registry import (
    CHECKS,
    KNOWN_KEYS,
    URL_CHECKS,
    RegistryError,
    SiteEntry,
    load_registry,
    official_host,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "pipeline" / "data" / "sites.yaml"
ALLOW_LIST = REPO / "pipeline" / "data" / "official-hosts.yaml"

# The 31 provincial-level units (GB/T 2260), written out here rather than read from the table.
PROVINCE_CODES = (
    "110000",
    "120000",
    "130000",
    "140000",
    "150000",
    "210000",
    "220000",
    "230000",
    "310000",
    "320000",
    "330000",
    "340000",
    "350000",
    "360000",
    "370000",
    "410000",
    "420000",
    "430000",
    "440000",
    "450000",
    "460000",
    "500000",
    "510000",
    "520000",
    "530000",
    "540000",
    "610000",
    "620000",
    "630000",
    "640000",
    "650000",
)

MINIMAL = """
- id: hl-jms-qianjin
  agency: 佳木斯市前进区人民政府
  start_urls: ['http://www.jmsqjq.gov.cn/e/action/ListInfo/?classid=175']
"""


def write(folder: Path, text: str, name: str = "sites.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    return info.value.problems


def one_problem(folder: Path, entry_yaml: str) -> str:
    """The single problem of a one-entry registry whose entry is `MINIMAL` plus `entry_yaml` lines."""
    path = write(folder, MINIMAL + textwrap.indent(textwrap.dedent(entry_yaml), "  "))
    problems = problems_of(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: site 'hl-jms-qianjin': ")
    return problems[0]


# --- loading ---------------------------------------------------------------------------------------


def test_minimal_entry_loads_with_defaults(tmp_path: Path) -> None:
    [entry] = load_registry(write(tmp_path, MINIMAL))
    assert entry == SiteEntry(
        id="hl-jms-qianjin",
        agency="佳木斯市前进区人民政府",
        start_urls=("http://www.jmsqjq.gov.cn/e/action/ListInfo/?classid=175",),
    )
    assert entry.verified is False and entry.years == () and entry.level is None


def test_full_entry_loads_with_typed_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        - id: zj-wenzhou
          agency: 温州市人民政府办公室
          name: 政府信息公开年报
          region_code: 330300
          level: city
          cms: zj_annual
          start_urls: ['http://www.wenzhou.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=001008003015001']
          evidence: http://www.wenzhou.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=001008003015001&fbtime=2022
          verified: false
          notes: year parameter
          link_pattern: 'art_\\d+_\\d+\\.html$'
          pagination_pattern: 'index_\\d+\\.html$'
          encoding: gb18030
          delay: 2
          max_pages: 5
          years: [2021, 2022]
        """,
    )
    [entry] = load_registry(path)
    assert entry.region_code == "330300"  # unquoted YAML int becomes the six-digit text
    assert entry.delay == 2.0 and isinstance(entry.delay, float)
    assert entry.years == (2021, 2022)
    assert entry.start_urls == (
        "http://www.wenzhou.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=001008003015001",
    )


def test_every_field_has_a_check() -> None:
    assert set(CHECKS) | set(URL_CHECKS) == set(KNOWN_KEYS)
    assert not set(CHECKS) & set(URL_CHECKS)


def test_registry_error_is_a_value_error() -> None:
    assert issubclass(RegistryError, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\nagency: y\n", "expected a list of sites, got dict"),
        ("", "expected a list of sites, got NoneType"),
        ("- [unclosed\n", "cannot read YAML"),
    ],
)
def test_file_that_is_not_a_list(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: ") and message in problem


def test_non_mapping_entry_is_reported_by_index(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "- just a string\n")
    assert problems_of(path) == [f"{path}: entry #2: expected a mapping, got str"]


def test_missing_required_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "- agency: 某县人民政府\n")
    problems = problems_of(path)
    assert problems == [
        f"{path}: entry #1: missing required key 'id'",
        f"{path}: entry #1: missing required key 'start_urls'",
    ]


@pytest.mark.parametrize(("key", "suggestion"), [("start_url", "start_urls"), ("evidnce", "evidence")])
def test_unknown_key_suggests_the_closest(tmp_path: Path, key: str, suggestion: str) -> None:
    problem = one_problem(tmp_path, f"{key}: http://www.gov.cn/\n")
    assert f"unknown key {key!r} (did you mean {suggestion!r}?)" in problem


def test_unknown_key_without_a_close_match(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, "colour: red\n")
    assert problem.endswith("unknown key 'colour'")


@pytest.mark.parametrize("bad_id", ["HL-JMS", "-leading", "with space", "前进区"])
def test_bad_id(tmp_path: Path, bad_id: str) -> None:
    path = write(tmp_path, f"- id: {bad_id}\n  agency: x\n  start_urls: [http://www.gov.cn/]\n")
    [problem] = problems_of(path)
    assert f"bad id {bad_id!r}" in problem


def test_bad_id_of_wrong_type_is_labelled_by_index(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: 42\n  agency: x\n  start_urls: [http://www.gov.cn/]\n")
    assert problems_of(path) == [
        f"{path}: entry #1: bad id 42: use lower-case ascii letters, digits, "
        "'-' and '_' (e.g. hl-jms-qianjin)"
    ]


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + MINIMAL)
    [problem] = problems_of(path)
    assert problem == (
        f"{path}: site 'hl-jms-qianjin': duplicate id, first defined at {path}: site 'hl-jms-qianjin'"
    )


def test_duplicate_id_across_folder_files(tmp_path: Path) -> None:
    first = write(tmp_path, MINIMAL, "a.yaml")
    second = write(tmp_path, MINIMAL, "b.yaml")
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{second}: ") and f"first defined at {first}" in problem


def test_empty_start_urls(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: a\n  agency: x\n  start_urls: []\n")
    assert problems_of(path) == [f"{path}: site 'a': start_urls is empty"]


def test_start_urls_must_be_a_list(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: a\n  agency: x\n  start_urls: http://www.gov.cn/\n")
    assert problems_of(path) == [f"{path}: site 'a': start_urls must be a list of URLs, got str"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://www.gov.cn/report.doc", "URL scheme must be http or https"),
        ("www.mva.gov.cn/gongkai/", "URL scheme must be http or https"),
        ("http:///zfxxgknb/", "URL has no host"),
        ("http://www.gov.cn:99999/", "URL has a bad port"),
        ("http://www.gov.cn@evil.example.com/", "must not carry user info"),
        ("http://www.cgyfzs.com/zfxxgknb/", "not an official host"),
        ("http://gov.cn.evil.example.com/", "not an official host"),
    ],
)
def test_bad_start_url(tmp_path: Path, url: str, message: str) -> None:
    path = write(tmp_path, f"- id: a\n  agency: x\n  start_urls: ['{url}']\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: site 'a': start_urls: ") and message in problem


def test_mirror_host_is_rejected_in_start_urls_and_evidence(tmp_path: Path) -> None:
    mirror = "http://www.bjlywyzs.com/zfxxgk/zfxxgknb/202301/t20230128_1.html"
    path = write(tmp_path, f"- id: mirror\n  agency: x\n  start_urls: ['{mirror}']\n  evidence: '{mirror}'\n")
    problems = problems_of(path)
    assert len(problems) == 2
    assert all("not an official host" in p and "www.bjlywyzs.com" in p for p in problems)
    assert problems[1].startswith(f"{path}: site 'mirror': evidence: ")


@pytest.mark.parametrize("code", ["'23080'", "'2308041'", "abcdef", "true", "'23-08-04'"])
def test_bad_region_code(tmp_path: Path, code: str) -> None:
    assert "bad region_code" in one_problem(tmp_path, f"region_code: {code}\n")


def test_unknown_level_and_cms(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "  level: village\n  cms: wordpress\n")
    problems = problems_of(path)
    assert len(problems) == 2
    assert (
        "unknown level 'village': expected one of city, county, department, province, township" in problems[0]
    )
    assert "unknown cms 'wordpress'" in problems[1] and "zj_annual" in problems[1]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("delay: '1.5'", "delay must be a number of seconds >= 0"),
        ("delay: -1", "delay must be a number of seconds >= 0"),
        ("delay: true", "delay must be a number of seconds >= 0"),
        ("max_pages: 0", "max_pages must be a whole number >= 1"),
        ("max_pages: 2.5", "max_pages must be a whole number >= 1"),
        ("encoding: no-such-codec", "unknown encoding 'no-such-codec'"),
        ("encoding: 936", "unknown encoding 936"),
        ("years: 2023", "years must be a list of years"),
        ("years: ['2023']", "years: not report years ['2023']"),
        ("years: [2023, 1899, true]", "years: not report years [1899, True]"),
        ("verified: 'no'", "expected true or false"),
        ("agency2: x", "unknown key 'agency2'"),
        ("notes: ''", "expected non-empty text"),
        ("link_pattern: 12", "expected a regular expression as text"),
        ("evidence: 7", "evidence: expected a URL"),
    ],
)
def test_bad_override_types(tmp_path: Path, line: str, message: str) -> None:
    assert message in one_problem(tmp_path, line + "\n")


@pytest.mark.parametrize("key", ["link_pattern", "pagination_pattern"])
def test_invalid_regex(tmp_path: Path, key: str) -> None:
    assert "invalid regular expression '([a-z'" in one_problem(tmp_path, f"{key}: '([a-z'\n")


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        - id: ok-one
          agency: 甲
          start_urls: [http://www.gov.cn/]
        - id: Bad
          agency: 乙
          start_urls: [http://mirror.example.com/]
          level: village
        - agency: 丙
        - 3
        """,
    )
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    problems = info.value.problems
    assert len(problems) == 6
    assert sum(p.startswith(f"{path}: site 'Bad': ") for p in problems) == 3
    assert sum(p.startswith(f"{path}: entry #3: missing required key") for p in problems) == 2
    assert problems[-1] == f"{path}: entry #4: expected a mapping, got int"
    assert str(info.value).startswith("6 problems in the sites registry:\n")


# --- folders and paths -----------------------------------------------------------------------------


def test_folder_is_merged_in_filename_order(tmp_path: Path) -> None:
    write(tmp_path, "- id: second\n  agency: 乙\n  start_urls: [http://b.gov.cn/]\n", "20-b.yaml")
    write(tmp_path, "- id: first\n  agency: 甲\n  start_urls: [http://a.gov.cn/]\n", "10-a.yaml")
    write(tmp_path, "not: a registry\n", "notes.txt")  # only *.yaml files belong to the registry
    assert [e.id for e in load_registry(tmp_path)] == ["first", "second"]
    assert [e.id for e in load_registry(str(tmp_path))] == ["first", "second"]


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: folder has no *.yaml files"]
    missing = tmp_path / "nope.yaml"
    assert problems_of(missing) == [f"{missing}: no such file or folder"]


# --- hosts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["gov.cn", "www.gov.cn", "WWW.MVA.GOV.CN", "www.mva.gov.cn:443", "zwgk.changchun.gov.cn", "xyq.gov.cn."],
)
def test_gov_cn_hosts_are_official(host: str) -> None:
    assert official_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "www.bjlywyzs.com",
        "cgyfzs.com",
        "saintpaulhem.com",
        "evilgov.cn",
        "gov.cn.evil.example.com",
        "www.gov.com",
        "203.0.113.7",  # an address not in the allow-list (TEST-NET-3)
        "",
    ],
)
def test_other_hosts_are_not_official(host: str) -> None:
    assert not official_host(host)


def test_allow_listed_hosts_match_as_listed() -> None:
    assert official_host("61.150.65.235")
    assert official_host("122.137.242.24:8080")
    assert official_host("180.76.149.248:88")
    assert not official_host("61.150.65.235:8080")  # listed without a port
    assert not official_host("122.137.242.24")  # listed with its port only


def test_raw_ip_entries_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        - id: shulan
          agency: 舒兰市市场监督管理局
          start_urls: ['http://122.137.242.24:8080/pub/slsxxgkw/gzbm/cyqrmzfbgs_7432/ndbg/']
        """,
    )
    assert [e.id for e in load_registry(path)] == ["shulan"]


def test_allow_list_entries_carry_their_own_evidence() -> None:
    items = yaml.safe_load(ALLOW_LIST.read_text(encoding="utf-8"))
    assert len(items) >= 3
    for item in items:
        parts = urlsplit(item["evidence"])
        evidence_host = parts.hostname + (f":{parts.port}" if parts.port else "")
        assert evidence_host == item["host"]
        assert item["agency"].strip()
        assert not item["host"].endswith("gov.cn")  # gov.cn needs no listing


# --- the shipped registry --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> list[SiteEntry]:
    return load_registry(SHIPPED)


def test_shipped_registry_size_and_ids(shipped: list[SiteEntry]) -> None:
    assert len(shipped) >= 100
    ids = [entry.id for entry in shipped]
    assert len(ids) == len(set(ids))


def test_shipped_registry_is_unverified_with_evidence(shipped: list[SiteEntry]) -> None:
    assert all(entry.verified is False for entry in shipped)
    assert all(entry.evidence for entry in shipped)


def test_shipped_registry_is_diverse(shipped: list[SiteEntry]) -> None:
    assert len({entry.cms for entry in shipped if entry.cms}) >= 4
    assert len({entry.level for entry in shipped if entry.level}) >= 4
    provinces = {entry.region_code[:2] for entry in shipped if entry.region_code}
    assert len(provinces) >= 25


def test_shipped_registry_region_codes_are_current_gb2260_codes(shipped: list[SiteEntry]) -> None:
    stale = {e.id: e.region_code for e in shipped if e.region_code and not _current_region(e.region_code)}
    assert not stale


def test_shipped_registry_levels_match_region_levels(shipped: list[SiteEntry]) -> None:
    # A provincial government sits on a province code, a city government on a prefecture code;
    # departments, towns and zones may sit on any code.
    expected = {"province": "province", "city": "city"}
    wrong = {
        e.id: (e.level, e.region_code)
        for e in shipped
        if e.level in expected and e.region_code and regions.level_of(e.region_code) != expected[e.level]
    }
    assert not wrong


def test_shipped_registry_covers_every_province(shipped: list[SiteEntry]) -> None:
    assert len(shipped) >= 400
    provinces = {code[:2] for code in (e.region_code for e in shipped) if code}
    every = {r[:2] for r in PROVINCE_CODES}
    assert every <= provinces


def test_derived_start_urls_stay_on_the_evidence_host(shipped: list[SiteEntry]) -> None:
    """A start URL derived from the evidence page is on the evidence page's host (a derivation that
    left the host would be a guessed URL, which the registry does not hold)."""

    def host(url: str) -> str:
        return (urlsplit(url).hostname or "").rstrip(".").removeprefix("www.")

    derived = [e for e in shipped if e.notes and "derived from evidence" in e.notes and e.evidence]
    assert derived
    moved = {
        e.id: e.evidence for e in derived if any(host(u) != host(e.evidence or "") for u in e.start_urls)
    }
    assert not moved


def test_shipped_registry_writes_verified_explicitly() -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert all(item.get("verified") is False for item in raw)


def _current_region(code: str) -> bool:
    found = regions.region(code)
    return found is not None and found.current


# --- `nianbao sites` -------------------------------------------------------------------------------


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_sites_lists_an_aligned_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        """
        - id: a
          agency: 佳木斯市前进区人民政府
          level: county
          cms: empire
          region_code: '230804'
          start_urls: ['http://www.jmsqjq.gov.cn/e/action/ListInfo/?classid=175']
        - id: longer-id
          agency: 水利部
          start_urls: [http://zwgk.mwr.gov.cn/zfxxgkndbg/]
        """,
    )
    assert main(["sites", "--sites", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "level", "cms", "region_code", "agency", "start_url"]
    assert lines[-1] == "2 sites"
    table = lines[:-1]
    url_columns = {display_width(line[: line.index("http")]) for line in table[1:]}
    assert url_columns == {display_width(table[0][: table[0].index("start_url")])}
    assert "-" in table[2].split()  # missing level, cms and region code show as '-'


def test_sites_check_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MINIMAL)
    assert main(["sites", "check", "--sites", str(path)]) == 0
    assert capsys.readouterr().out == "ok: 1 sites\n"


def test_sites_check_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "- id: Bad\n  agency: x\n  start_urls: [http://www.bjlywyzs.com/]\n")
    assert main(["sites", "--sites", str(path), "check"]) == 1
    err = capsys.readouterr().err
    assert "bad id 'Bad'" in err and "not an official host" in err
    assert err.endswith(f"2 problem(s) in {path}\n")


def test_sites_defaults_to_the_shipped_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # not the repository: the registry comes with the package
    assert main(["sites", "check"]) == 0
    assert capsys.readouterr().out == f"ok: {len(load_registry(SHIPPED))} sites\n"


def test_the_repository_path_of_the_registry_is_the_shipped_file() -> None:
    assert (REPO / "data" / "sites.yaml").resolve() == SHIPPED.resolve()


def test_allow_hosts_admits_replica_hosts_for_one_load_only(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(
        "- {id: replica, agency: 某区人民政府, start_urls: ['http://127.0.0.1:8123/list/']}\n",
        encoding="utf-8",
    )
    assert load_registry(path, allow_hosts=["127.0.0.1:8123"])[0].id == "replica"
    with pytest.raises(RegistryError, match="not an official host"):
        load_registry(path)
