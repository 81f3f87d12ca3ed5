"""GB/T 2260 administrative divisions, 2008–2025, with the revision each name was in force.

The table in data/regions/ (see its README) lists every code × name with the first and last
民政部 revision that carries it. A code can have several rows: 420600 was 襄樊市 until 2010 and is
襄阳市 since. Retired codes stay resolvable, and successors.tsv links them to the code that took
their place, so that a report about 射洪县 (510922, until 2019) and one about 射洪市 (510981) can
be keyed to one region.

    region("230804")                      -> Region(name='前进区', city='佳木斯市', province='黑龙江省', …)
    find_regions("河东区")                 -> 天津 120102 and 临沂 371312
    find_regions("佳木斯前进区", year=2019)  -> [230804]
    successor("130521")                   -> "130503" (邢台县 was merged into 信都区)
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import product
from pathlib import Path

from pipeline.numbers import nfkc

DATA = Path(__file__).resolve().parent / "data" / "regions"

# Ethnic names in 自治区/自治州 names, stripped to get the short form (延边朝鲜族自治州 -> 延边).
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|"
    "东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|"
    "俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_ETHNIC_TAIL = re.compile(rf"(?:{_ETHNIC})族?$")
_UPPER_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|地区|省|市|盟)$")
LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Region:
    """One name of one code, over the revisions that carry it, with its parents' names then."""

    code: str
    name: str
    level: str  # province | city | county
    province: str
    city: str | None  # None for the districts of 直辖市 and 省直辖县级 units
    county: str | None
    first: str  # first revision (YYYYMM) listing this name under these parents
    last: str  # last revision listing it

    @property
    def current(self) -> bool:
        return self.last == newest_revision()

    @property
    def path(self) -> str:
        """黑龙江省/佳木斯市/前进区"""
        return "/".join(n for n in (self.province, self.city, self.county) if n)

    @property
    def years(self) -> tuple[int, int]:
        """Report years this name may apply to, widened to the gaps between revisions."""
        return _year_span(self.first, self.last)


# --- loading ---------------------------------------------------------------------------------------


def _read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@cache
def revisions() -> tuple[str, ...]:
    return tuple(row["revision"] for row in _read_tsv("revisions.tsv"))


def newest_revision() -> str:
    return revisions()[-1]


def level_of(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


@cache
def _regions() -> dict[str, tuple[Region, ...]]:
    """code -> its Regions, oldest first. Rows are re-split where a parent was renamed, so that each
    Region carries the parent names of its own time (樊城区 under 襄樊市, then under 襄阳市)."""
    names_at: dict[str, dict[str, str]] = {rev: {} for rev in revisions()}
    order = revisions()
    for row in _read_tsv("gb2260.tsv"):
        for rev in order[order.index(row["first"]) : order.index(row["last"]) + 1]:
            names_at[rev][row["code"]] = row["name"]
    runs: dict[tuple, list[str]] = {}
    for rev in order:
        names = names_at[rev]
        for code, name in names.items():
            key = (code, name, *_parents(code, names))
            runs.setdefault(key, []).append(rev)
    out: dict[str, list[Region]] = defaultdict(list)
    for (code, name, province, city), revs in runs.items():
        level = level_of(code)
        out[code].append(
            Region(code, name, level, province, city, name if level == "county" else None, revs[0], revs[-1])
        )
    return {code: tuple(sorted(rs, key=lambda r: r.first)) for code, rs in out.items()}


def _parents(code: str, names: dict[str, str]) -> tuple[str, str | None]:
    province = names.get(code[:2] + "0000", "")
    if level_of(code) == "province":
        return names[code], None
    city = names.get(code[:4] + "00") if level_of(code) == "county" else names[code]
    return province, city


@cache
def _year_span(first: str, last: str) -> tuple[int, int]:
    """A name first listed in revision R appeared after the revision before R; one last listed in
    L was gone by the revision after L. Both ends are widened to those neighbours."""
    order = revisions()
    i, j = order.index(first), order.index(last)
    start = _month_after(order[i - 1])[0] if i > 0 else 0
    end = int(order[j + 1][:4]) if j + 1 < len(order) else 9999
    return start, end


def _month_after(revision: str) -> tuple[int, int]:
    year, month = int(revision[:4]), int(revision[4:])
    return (year + 1, 1) if month == 12 else (year, month + 1)


# --- lookups ---------------------------------------------------------------------------------------


def region(code: str, year: int | None = None) -> Region | None:
    """The region a code named in `year` (the latest name if several apply); any year if None.

    None for an unknown code, or for a year the code was not in force.
    """
    runs = _regions().get(str(code).strip())
    if not runs:
        return None
    if year is None:
        return runs[-1]
    valid = [r for r in runs if r.years[0] <= year <= r.years[1]]
    return valid[-1] if valid else None


def find_regions(name: str, year: int | None = None, within: str | None = None) -> list[Region]:
    """Regions a place name can denote: exact ('前进区'), with parents ('佳木斯市前进区') or the
    parents' short forms ('佳木斯前进区', '黑龙江佳木斯前进区'); provinces and cities also by their
    short form ('佳木斯', '延边'). `within` keeps the regions under a parent code ('230800').

    One Region per code, in code order; several codes mean the name alone is ambiguous.
    """
    key = normalize(name)
    found: dict[str, Region] = {}
    for r in _alias_index().get(key, ()):
        if year is not None and not r.years[0] <= year <= r.years[1]:
            continue
        if within and not is_within(r.code, within):
            continue
        if r.code not in found or found[r.code].first < r.first:
            found[r.code] = r
    return [found[c] for c in sorted(found)]


def is_within(code: str, parent: str) -> bool:
    """Whether `code` is `parent` or lies under it (by GB/T 2260 prefixes)."""
    if len(parent) != 6:
        return code.startswith(parent)
    prefix = {"province": 2, "city": 4, "county": 6}[level_of(parent)]
    return code[:prefix] == parent[:prefix]


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", nfkc(text or ""))


def short_name(name: str) -> str:
    """佳木斯市 -> 佳木斯, 延边朝鲜族自治州 -> 延边, 广西壮族自治区 -> 广西, 内蒙古自治区 -> 内蒙古.

    Only for provinces and cities: a county's short form (前进) is too ambiguous to match on.
    """
    short = _UPPER_SUFFIX.sub("", name)
    if "自治" in name:
        while (shorter := _ETHNIC_TAIL.sub("", short)) != short and len(shorter) >= 2:
            short = shorter
    return short if len(short) >= 2 else name


@cache
def _alias_index() -> dict[str, tuple[Region, ...]]:
    index: dict[str, list[Region]] = defaultdict(list)
    for runs in _regions().values():
        for r in runs:
            for alias in _aliases(r):
                index[alias].append(r)
    return {k: tuple(v) for k, v in index.items()}


def _aliases(r: Region) -> set[str]:
    if r.level == "province":
        return {r.name, short_name(r.name)}
    own = {r.name} if r.level == "county" else {r.name, short_name(r.name)}
    provinces = {"", r.province, short_name(r.province)}
    cities = {"", r.city, short_name(r.city)} if r.level == "county" and r.city else {""}
    return {p + c + o for p, c, o in product(provinces, cities, own)}


@cache
def _place_names() -> tuple[frozenset[str], int]:
    """Every single place name that can open an agency name, and the longest length."""
    names = set()
    for runs in _regions().values():
        for r in runs:
            names.add(r.name)
            if r.level != "county":
                names.add(short_name(r.name))
    return frozenset(names), max(map(len, names))


def split_places(text: str) -> tuple[list[str], str]:
    """'佳木斯市前进区人民政府' -> (['佳木斯市', '前进区'], '人民政府'), taking the longest known place
    name at each step; '区政府办公室' -> ([], '区政府办公室')."""
    names, longest = _place_names()
    text = normalize(text)
    places: list[str] = []
    while True:
        for size in range(min(longest, len(text)), 1, -1):
            if text[:size] in names:
                places.append(text[:size])
                text = text[size:]
                break
        else:
            return places, text


def chain_candidates(places: list[str], year: int | None = None) -> list[str]:
    """Codes the last place of a chain can be, given the places before it (['天津市', '河东区'] ->
    ['120102']). Places that contradict each other leave the last place's own candidates."""
    if not places:
        return []
    codes = [r.code for r in find_regions(places[-1], year)]
    for parent in places[:-1]:
        parents = [r.code for r in find_regions(parent, year)]
        narrowed = [c for c in codes if any(is_within(c, p) and c != p for p in parents)]
        codes = narrowed or codes
    return codes


def text_supports(code: str, text: str, year: int | None = None) -> bool:
    """Whether the text names this region together with a parent ('临沂市河东区', '天津河东区')."""
    r = region(code, year) or region(code)
    if r is None or r.level == "province":
        return False
    flat = normalize(text)
    return any(alias in flat for alias in _aliases(r) if alias not in {r.name, short_name(r.name)})


# --- successors ------------------------------------------------------------------------------------


@cache
def _successor_links() -> dict[str, tuple[str, str]]:
    """old code -> (new code, kind) for retired codes with a known successor."""
    return {
        row["old_code"]: (row["successor"], row["kind"])
        for row in _read_tsv("successors.tsv")
        if row["successor"]
    }


def successor(code: str) -> str:
    """The code in force now for a retired code, following merges and renamings (130521 邢台县 ->
    130503 信都区). A current code, an unknown code or one without a known successor is returned as is."""
    return _follow(code, {"continuation", "merge"})


def stable_code(code: str) -> str:
    """The current code of the same unit: follows renamings, 撤县设区/市 and transfers between
    prefectures, not merges (梅列区 keeps 350402, so it never shares an id with 三元区)."""
    return _follow(code, {"continuation"})


def _follow(code: str, kinds: set[str]) -> str:
    links = _successor_links()
    seen = {code}
    while code in links and links[code][1] in kinds:
        code = links[code][0]
        if code in seen:  # a cycle would be a data error; stop rather than loop
            break
        seen.add(code)
    return code
