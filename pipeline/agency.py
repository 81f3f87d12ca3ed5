"""Agency identity: one stable ASCII id per publishing agency, the same in every report year.

    resolve_agency(AgencyHints(title_agency="前进区人民政府", registry_region_code="230804"))
        -> AgencyIdentity(agency_id="230804-gov", agency_name="佳木斯市前进区人民政府",
                          scope="region_aggregate", …)

An id is region code + agency type + name slug (docs/agency-ids.md has the rules). District names
repeat across cities (河东区: 天津 120102, 临沂 371312), so a name alone never decides the region:
the registry's code, the 统一社会信用代码 in the 索引号, the site's SiteIDCode and parent places
written in fuller names narrow the candidates, and an ambiguous agency gets a fallback `x-…` id and a
warning instead of a guess. resolve_agency never raises.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TypedDict
from urllib.parse import urlsplit

from pypinyin import Style, lazy_pinyin

from pipeline.regions import (
    Region,
    chain_candidates,
    find_regions,
    is_within,
    normalize,
    region,
    split_places,
    stable_code,
    successor,
    text_supports,
)

AGENCY_TYPES = ("gov", "gov_office", "dept", "street", "town", "township", "dev_zone", "ministry", "other")
_ID_SEGMENT = {
    "gov": "gov",
    "gov_office": "gov-office",
    "dept": "dept",
    "street": "street",
    "town": "town",
    "township": "township",
    "dev_zone": "zone",
    "other": "other",
}


@dataclass
class AgencyHints:
    """Everything known about who published a report; every field is optional."""

    registry_agency: str | None = None
    registry_region_code: str | None = None
    registry_level: str | None = None
    title_agency: str | None = None  # as the title names it: 前进区人民政府
    agency_full: str | None = None  # the fullest form in the document: 佳木斯市前进区人民政府
    publisher: str | None = None  # 发布机构 / 来源 metadata
    preamble: str | None = None  # first paragraphs of the text
    signature: str | None = None  # last lines of the text
    index_no: str | None = None  # 索引号: 11341702486344515H/202110-00013, 014314799/2024-00002
    site_id_code: str | None = None  # meta SiteIDCode: 3213220037, bm07000001
    year: int | None = None  # report year
    url: str | None = None


@dataclass
class AgencyIdentity:
    agency_id: str  # ASCII, path-safe, stable across years
    agency_name: str  # normalised full Chinese name
    agency_type: str  # one of AGENCY_TYPES
    region_code: str | None  # GB/T 2260 code in force in the report year
    region_name: str | None  # 黑龙江省/佳木斯市/前进区
    level: str | None  # province | city | county | township | national
    scope: str  # region_aggregate | agency
    raw_names: tuple[str, ...] = ()
    org_code: str | None = None  # 9-char 组织机构代码 from the 索引号
    uscc: str | None = None  # 18-char 统一社会信用代码 from the 索引号
    site_id_code: str | None = None
    warnings: list[str] = field(default_factory=list)
    resolved: bool = True


# --- names -----------------------------------------------------------------------------------------

_AGENCY_END = re.compile(
    r"(人民政府|政府|办公室|办公厅|办事处|委员会|管委会|局|委|办|厅|中心|署|院|所|站|队|处|部|街道|镇|乡|苏木)$"
)
_DATE_LINE = re.compile(r"\d{2,4}\s*年|\d{4}[-./]\d{1,2}")
_PREAMBLE_AGENCY = (
    re.compile(r"本?报告由([\u4e00-\u9fff]{2,40}?)(?:负责)?(?:汇总)?编制"),
    re.compile(
        r"(?:^|[。；\n])([\u4e00-\u9fff]{2,40}?)(?:根据|依据|按照)《(?:中华人民共和国)?政府信息公开条例》"
    ),
)
# A government office's report that compiles the whole region's reports (quirk 25).
_AGGREGATE = re.compile(r"汇总|涵盖|全(?:省|市|区|县|州|旗|盟)(?:各级|各部门|各单位)")
# Vertical systems name the national body first: 国家税务总局沭阳县税务局.
_VERTICAL_PREFIXES = ("国家税务总局", "国家统计局", "中国人民银行", "国家金融监督管理总局")
_NATIONAL_PREFIX = re.compile(r"^(?:中华人民共和国|国务院|国家|中国)")


def _signature_name(signature: str) -> str:
    """The agency line of a signature block: '沭阳县发展和改革局' above '2024年1月17日'."""
    lines = [normalize(line) for line in signature.splitlines()]
    for line in reversed([line for line in lines if line][-6:]):
        if len(line) <= 40 and not _DATE_LINE.search(line) and _AGENCY_END.search(line):
            return line
    return ""


def _preamble_name(preamble: str) -> str:
    text = normalize(preamble)
    for pattern in _PREAMBLE_AGENCY:
        for match in pattern.finditer(text):
            if _AGENCY_END.search(match.group(1)):
                return match.group(1)
    return ""


def _document_names(hints: AgencyHints) -> list[str]:
    """The agency names the document itself gives, most telling first; the publisher comes last
    because a portal's web office often publishes other agencies' reports."""
    found = [
        _text(hints.agency_full),
        _text(hints.title_agency),
        _signature_name(_text(hints.signature, keep_lines=True)),
        _preamble_name(_text(hints.preamble, keep_lines=True)),
        _text(hints.publisher),
    ]
    return list(dict.fromkeys(n for n in found if n))


def _text(value: object, keep_lines: bool = False) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if keep_lines else normalize(text)


# --- parsing one name ------------------------------------------------------------------------------

_SUB_COUNTY = re.compile(
    r"^(?P<unit>.{1,12}?)(?P<kind>街道办事处|街道|民族乡|镇|乡|苏木)(?:人民政府|政府|办事处)?$"
)
_SUB_COUNTY_TYPE = {"街道办事处": "street", "街道": "street", "镇": "town"}  # 乡, 民族乡, 苏木: township
_SUB_COUNTY_NAME = {"street": "街道办事处", "town": "镇人民政府", "township": "乡人民政府"}
_ZONE = re.compile(r"开发区|高新区|经开区|园区|保税区|新区|试验区|示范区|合作区|管委会|管理委员会")
_DEPT_END = re.compile(r"(局|委员会|委|办公室|办|厅|中心|署|院|所|站|队|处|部|馆|社|台|会)$")
_GOV_OFFICE = re.compile(r"(?:人民)?政府办(?:公室|公厅)?")
_GOV_OR_OFFICE = re.compile(r"(?:人民)?政府(?:办(?:公室|公厅)?)?")
# "区政府办公室", "县发改局": a level word standing in for the place name (not 市场…, 区域…).
_LEVEL_WORD = re.compile(r"^本?[省市县区州旗盟](?![场域属])")
# A government of a place the table does not know (a typo, or a unit gone before 2008).
_UNKNOWN_PLACE_GOV = re.compile(
    r"^(.{1,12}?(?:自治区|自治州|自治县|自治旗|地区|省|市|盟|县|区|旗))((?:人民)?政府.*)$"
)
_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")  # 卫生健康局（医疗保障局）


@dataclass
class _Parsed:
    vertical: str  # national system the local body belongs to: 国家税务总局
    places: list[str]
    body: str  # what follows the places: 人民政府, 发展和改革局, 经纬街道办事处
    agency_type: str
    unit: str = ""  # street / town / township name without its suffix: 经纬


def _parse(name: str) -> _Parsed:
    vertical = next(
        (p for p in _VERTICAL_PREFIXES if name.startswith(p) and split_places(name[len(p) :])[0]), ""
    )
    places, body = split_places(name[len(vertical) :])
    body = _TRAILING_NOTE.sub("", body)
    if not places:
        body = _LEVEL_WORD.sub("", body)
        unknown = _UNKNOWN_PLACE_GOV.match(body)
        if unknown and _GOV_OR_OFFICE.fullmatch(unknown.group(2)):
            places, body = [unknown.group(1)], unknown.group(2)
    return _Parsed(vertical, places, body, *_classify(body, bool(places)))


def _classify(body: str, has_place: bool) -> tuple[str, str]:
    """(agency type, sub-county unit name)."""
    if body in ("", "人民政府", "政府") or re.fullmatch(r"全[省市区县州旗盟]", body):
        return "gov", ""
    if _GOV_OFFICE.fullmatch(body):
        return "gov_office", ""
    sub = _SUB_COUNTY.match(body)
    if sub and not _ZONE.search(sub.group("unit")):
        return _SUB_COUNTY_TYPE.get(sub.group("kind"), "township"), sub.group("unit")
    if _ZONE.search(body):
        return "dev_zone", ""
    if not has_place and _is_national(body):
        return "ministry", ""
    return ("dept" if _DEPT_END.search(body) else "other"), ""


def _is_national(body: str) -> bool:
    known = _table_lookup(body, _MINISTRIES) is not None
    return known or bool(_NATIONAL_PREFIX.match(body)) or body.endswith("部")


# --- slugs -----------------------------------------------------------------------------------------

# Standard short forms of local departments: "short slug variant…" with variants written after
# _dept_key's normalisation (和/与/及 removed, 委员会 -> 委, 办公室 -> 办). Slugs are the pinyin
# initials of the short form; where two collide, the later one spells its first syllable in full
# (水务局 swj, 税务局 shuiwj). Slugs here never change once published: add rows, do not edit them.
_DEPARTMENTS = """
发改局 fgj 发展改革局
发改委 fgw 发展改革委
教育局 jyj
教育体育局 jytyj 教体局
科技局 kjj 科学技术局
工信局 gxj 工业信息化局
经信局 jxj 经济信息化局
公安局 gaj
民政局 mzj
司法局 sfj
财政局 czj
人社局 rsj 人力资源社会保障局
自然资源局 zrzyj
规划自然资源局 ghzrzyj
国土资源局 gtzyj 国土局
生态环境局 sthjj
环保局 hbj 环境保护局
住建局 zjj 住房城乡建设局
交通运输局 jtysj 交通局
水利局 slj
水务局 swj
农业农村局 nyncj
农业局 nyj
商务局 shangwj
文旅局 wlj 文化旅游局
文广旅局 wglj 文化广电旅游局
文广体旅局 wgtlj 文化广电体育旅游局
文体广旅局 wtglj 文化体育广电旅游局 文化体育广播电视旅游局
卫健局 wjj 卫生健康局
卫健委 wjw 卫生健康委
卫计局 weijj 卫生计划生育局
卫计委 weijw 卫生计划生育委
卫生局 wsj
退役军人事务局 tyjrswj
应急管理局 yjglj 应急局
医疗保障局 ylbzj 医保局
市场监管局 scjgj 市场监督管理局
统计局 tjj
审计局 sjj
林业局 lyj
信访局 xfj
行政审批局 xzspj 行政审批服务局
城市管理局 csglj 城管局
综合行政执法局 zhxzzfj
人防办 rfb 人民防空办
外事办 wsb
民族宗教事务局 mzzjswj 民宗局
档案局 daj
体育局 tyj
旅游局 lvyj
粮食局 lsj
机关事务管理局 jgswglj 机关事务局
扶贫办 fpb 扶贫开发办
乡村振兴局 xczxj
国资委 gzw 国有资产监督管理委
税务局 shuiwj
国税局 gsj 国家税务局
地税局 dsj 地方税务局
安监局 ajj 安全生产监督管理局
食药监局 syjj 食品药品监督管理局
工商局 gongsj 工商行政管理局
质监局 zhijj 质量技术监督局
气象局 qxj
地震局 dzj
融媒体中心 rmtzx
公共资源交易中心 ggzyjyzx
政务服务中心 zwfwzx
规划局 ghj
物价局 wujj
"""

# State Council departments (id `bm-<slug>`), same format.
_MINISTRIES = """
外交部 wjb
国防部 gfb
国家发改委 fgw 国家发展改革委
教育部 jyb
科技部 kjb 科学技术部
工信部 gxb 工业信息化部
国家民委 mw 国家民族事务委
公安部 gab
民政部 mzb
司法部 sfb
财政部 czb
人社部 rsb 人力资源社会保障部
自然资源部 zrzyb
生态环境部 sthjb
住建部 zjb 住房城乡建设部
交通运输部 jtysb
水利部 slb
农业农村部 nyncb
商务部 swb
文旅部 wlb 文化旅游部
国家卫健委 wjw 国家卫生健康委
退役军人事务部 tyjrswb
应急管理部 yjglb
中国人民银行 rmyh 人民银行
审计署 sjs
国务院国资委 gzw 国务院国有资产监督管理委
海关总署 hgzs
国家税务总局 swzj 税务总局
市场监管总局 scjgzj 国家市场监督管理总局
金融监管总局 jrjgzj 国家金融监督管理总局
广电总局 gdzj 国家广播电视总局
体育总局 tyzj 国家体育总局
国家统计局 tjj
国家国际发展合作署 gjfzhzs 国际发展合作署
国家医保局 ybj 国家医疗保障局
国家信访局 xfj
国家知识产权局 zscqj
国家能源局 nyj
国家林草局 lcj 国家林业草原局
国家药监局 yjj 国家药品监督管理局
国家移民管理局 ymglj
国家铁路局 tlj
民航局 mhj 中国民用航空局
国家邮政局 yzj
国家文物局 wwj
国家中医药局 zyyj 国家中医药管理局
国家外汇局 whj 国家外汇管理局
国家粮食物资储备局 lswzcbj 国家粮食和物资储备局
国家烟草专卖局 yczmj
国家数据局 sjj
国家疾控局 jkj 国家疾病预防控制局
国家矿山安监局 ksajj 国家矿山安全监察局
国家消防救援局 xfjyj
国家机关事务管理局 jgswglj
国家国防科工局 gfkgj 国家国防科技工业局
"""


@cache
def _table(spec: str) -> dict[str, tuple[str, str]]:
    """variant or short form (normalised) -> (short form, slug)."""
    out: dict[str, tuple[str, str]] = {}
    for line in spec.strip().splitlines():
        short, slug, *variants = line.split()
        for name in (short, *variants):
            out[_dept_key(name)] = (short, slug)
    return out


def _dept_key(body: str) -> str:
    """发展和改革委员会 -> 发展改革委; 人民防空办公室 -> 人民防空办. Text in brackets is dropped
    (卫生健康局（医疗保障局）)."""
    body = re.split(r"[(（]", normalize(body))[0]
    body = re.sub(r"[和与及、]", "", body)
    return body.replace("委员会", "委").replace("办公室", "办")


def _table_lookup(body: str, spec: str) -> tuple[str, str] | None:
    return _table(spec).get(_dept_key(body))


def _initials(text: str) -> str:
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return re.sub(r"[^a-z0-9]", "", letters.lower())[:12]


def _spelled(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(text)).lower())[:24]


def _hash(text: str, size: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def _open_slug(key: str, spell: bool = False) -> str:
    """A slug for a name outside the tables: pinyin plus a hash of the exact name, so that two
    names never share a slug even when their pinyin does (新华街道, 新化街道)."""
    readable = _spelled(key) if spell else _initials(key)
    return f"{readable}-{_hash(key, 4)}" if readable else _hash(key, 8)


def _table_slug(body: str, spec: str) -> str:
    known = _table_lookup(body, spec)
    return known[1] if known else _open_slug(_dept_key(body))


_ZONE_SHORT = (
    (re.compile(r"(?:管理委员会|管委会|工作委员会|党工委)$"), ""),
    (re.compile(r"经济技术开发区|经济开发区"), "经开区"),
    (re.compile(r"高新技术产业开发区|高新技术开发区"), "高新区"),
)


def _zone_key(body: str) -> str:
    for pattern, replacement in _ZONE_SHORT:
        body = pattern.sub(replacement, body)
    return body


def _slug(parsed: _Parsed) -> str:
    kind = parsed.agency_type
    if kind == "dept":
        return _table_slug(parsed.body, _DEPARTMENTS)
    if kind in ("street", "town", "township"):
        return _open_slug(parsed.unit, spell=True)
    if kind == "dev_zone":
        return _open_slug(_zone_key(parsed.body))
    if kind == "other":
        return _open_slug(_dept_key(parsed.body))
    return ""


# --- 索引号 and SiteIDCode --------------------------------------------------------------------------

_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC = re.compile(rf"[{_CODE_CHARS}]{{2}}\d{{6}}[{_CODE_CHARS}]{{10}}")
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE = re.compile(r"([0-9A-Z]{8})-?([0-9X])")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def parse_index_no(index_no: str | None) -> tuple[str | None, str | None, list[str]]:
    """(uscc, org_code, warnings) from a 索引号 prefix; codes whose check digit fails are dropped."""
    prefix = re.split(r"[/／]", normalize(index_no or "").upper())[0]
    if _USCC.fullmatch(prefix):
        if _uscc_ok(prefix):
            return prefix, prefix[8:17], []
        return None, None, [f"index_no_bad_check_digit:{prefix}"]
    org = _ORG_CODE.fullmatch(prefix)
    if org:
        code = org.group(1) + org.group(2)
        return (None, code, []) if _org_ok(code) else (None, None, [f"index_no_bad_check_digit:{prefix}"])
    return None, None, []


def _uscc_ok(code: str) -> bool:
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(code, _USCC_WEIGHTS, strict=False))
    return _CODE_CHARS[(31 - total % 31) % 31] == code[17]


def _org_ok(code: str) -> bool:
    values = (int(c) if c.isdigit() else ord(c) - 55 for c in code)  # A=10 … Z=35
    total = sum(v * w for v, w in zip(values, _ORG_WEIGHTS, strict=False))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check)) == code[8]


def _site_region(site_id_code: str) -> str | None:
    """Local SiteIDCode = 6-digit region code + 4-digit serial (3213220037 -> 321322)."""
    return site_id_code[:6] if re.fullmatch(r"\d{10}", site_id_code) else None


def _is_ministry_site(site_id_code: str) -> bool:
    return bool(re.fullmatch(r"bm\d+", site_id_code.lower()))


# --- region ----------------------------------------------------------------------------------------


def _known(code: str | None, year: int | None, label: str, warnings: list[str]) -> str | None:
    """A code from evidence, if the table knows it; a retired one is moved to its successor when the
    report year is past it (USCCs keep the code of their issue date)."""
    if not code:
        return None
    if region(code) is None:
        warnings.append(f"{label}_region_unknown:{code}")
        return None
    if year is not None and region(code, year) is None:
        newer = successor(code)
        if newer != code and region(newer, year) is not None:
            warnings.append(f"{label}_region_updated:{code}->{newer}")
            return newer
    return code


def _related(a: str, b: str) -> bool:
    a, b = successor(a), successor(b)
    return is_within(a, b) or is_within(b, a)


def _one_per_unit(codes: list[str], year: int | None) -> list[str]:
    """Codes of one unit across renumberings count once (米林县 542623 and 540422); without a
    report year, current codes win over retired ones that share their name."""
    if year is None:
        codes = [c for c in codes if (r := region(c)) and r.current] or codes
    best: dict[str, str] = {}
    for code in codes:
        best.setdefault(stable_code(code), code)
    return sorted(best.values())


def _name_candidates(parsed: list[_Parsed], year: int | None, warnings: list[str]) -> list[str]:
    """Region candidates of the first name that has places, narrowed by the places of the others."""
    candidates: list[str] = []
    for p in parsed:
        codes = _one_per_unit(chain_candidates(p.places, year) or _zone_places(p, year), year)
        if not codes:
            continue
        if not candidates:
            candidates = codes
            continue
        narrowed = [c for c in candidates if any(_related(c, q) for q in codes)]
        if narrowed:
            candidates = narrowed
        else:
            warnings.append(f"names_disagree:{'+'.join(p.places)}")
    return candidates


def _zone_places(parsed: _Parsed, year: int | None) -> list[str]:
    """'井冈山经开区管委会': a zone is named after its county without the county's suffix."""
    if parsed.agency_type != "dev_zone" or parsed.places:
        return []
    for size in range(min(len(parsed.body), 8), 1, -1):
        codes = {r.code for s in "市县区旗" for r in find_regions(parsed.body[:size] + s, year)}
        if codes:
            return sorted(codes)
    return []


def _narrow(candidates: list[str], code: str | None, label: str, warnings: list[str]) -> list[str]:
    """Keep the candidates related to an evidence code (same region, parent or child)."""
    if not code or not candidates:
        return candidates
    narrowed = [c for c in candidates if _related(c, code)]
    if not narrowed:
        warnings.append(f"{label}_region_differs_from_names:{code}")
    return narrowed or candidates


def _pick_region(hints: AgencyHints, parsed: list[_Parsed], warnings: list[str]) -> list[str]:
    """Region candidates; exactly one means resolved. The document's names decide; the other
    evidence only chooses among their candidates, or stands in when no name has a place. In order
    of trust: the registry's code (a city portal hosts its districts' and departments' reports, so
    a code that contradicts the names is set aside with a warning); the region in the USCC (it
    chooses among the names' candidates or stands in when no name has a place; when it contradicts
    them nothing is chosen); the SiteIDCode (likewise a portal's, so it only chooses, or stands in
    when no name has a place at all); a parent place written next to the name in the texts; the
    registry's level."""
    year = hints.year
    registry = _known(normalize(hints.registry_region_code or ""), year, "registry", warnings)
    candidates = _name_candidates(parsed, year, warnings)
    if registry and not candidates:
        warnings.append(f"region_from_registry:{registry}")  # 区发展和改革局: the site's region stands in
        return [registry]
    if registry:
        related = [c for c in candidates if _related(c, registry)]
        if related:
            candidates = related
        else:
            warnings.append(f"registry_region_differs_from_document:{registry}")
    uscc, _, _ = parse_index_no(hints.index_no)
    uscc_region = _known(uscc[2:8] if uscc else None, year, "uscc", warnings)
    if uscc_region and not candidates:
        return [uscc_region]
    if uscc_region and not any(_related(c, uscc_region) for c in candidates):
        warnings.append(f"uscc_region_differs_from_names:{uscc_region}")
        return []  # a copy of another agency's page, or a wrong name: do not guess
    candidates = _narrow(candidates, uscc_region, "uscc", warnings)
    site = _known(_site_region(normalize(hints.site_id_code or "")), year, "site_id", warnings)
    if site and not any(p.places for p in parsed):  # not when a name has a place the table lacks
        warnings.append(f"region_from_site_id:{site}")
        return [site]
    candidates = _narrow(candidates, site, "site_id", warnings)
    if len(candidates) > 1:
        texts = [str(t) for t in (hints.agency_full, hints.publisher, hints.signature, hints.preamble) if t]
        candidates = [c for c in candidates if any(text_supports(c, t, year) for t in texts)] or candidates
    if len(candidates) > 1 and hints.registry_level in ("province", "city", "county"):
        candidates = [c for c in candidates if _level(c) == hints.registry_level] or candidates
    return candidates


def _level(code: str) -> str | None:
    r = region(code)
    return r.level if r else None


# --- assembling the identity -----------------------------------------------------------------------


def _full_name(parsed: _Parsed, place: Region | None) -> str:
    """The name as agencies write it in full: 佳木斯市前进区人民政府 (a county with its city or
    province), 前进区经纬街道办事处 (a street with its county), 国家税务总局沭阳县税务局."""
    if place is None or parsed.agency_type == "dev_zone":
        prefix = "".join(parsed.places)  # a zone's name already carries its place
    elif place.level == "county" and parsed.agency_type not in _SUB_COUNTY_NAME and not parsed.vertical:
        prefix = (place.city or place.province) + place.name
    else:
        prefix = place.name
    return parsed.vertical + prefix + _canonical_body(parsed)


def _canonical_body(parsed: _Parsed) -> str:
    kind = parsed.agency_type
    if kind == "gov":
        return "人民政府"
    if kind == "gov_office":
        return "人民政府办公厅" if "办公厅" in parsed.body else "人民政府办公室"
    if kind in _SUB_COUNTY_NAME:
        return parsed.unit + _SUB_COUNTY_NAME[kind]
    return parsed.body


def _scope(agency_type: str) -> str:
    """A government's own report aggregates its region (quirk 25); everyone else reports for itself."""
    return "region_aggregate" if agency_type == "gov" else "agency"


def resolve_agency(hints: AgencyHints) -> AgencyIdentity:
    """The identity of the agency behind a report; an unresolved one gets an `x-` id and warnings."""
    warnings: list[str] = []
    uscc, org_code, index_warnings = parse_index_no(_text(hints.index_no))
    warnings += index_warnings
    site_id = _text(hints.site_id_code) or None
    names = _document_names(hints)
    registry_name = _text(hints.registry_agency)
    if not names and registry_name:
        # The document names no agency: the registry's is a hint, not evidence.
        identity = _resolve_named(hints, [registry_name], warnings, uscc, org_code, site_id)
        identity.warnings.append("agency_from_registry_only")
        identity.resolved = False  # an id from the registry's hint, not from evidence
        return identity
    identity = _resolve_named(hints, names, warnings, uscc, org_code, site_id)
    if (
        registry_name
        and identity.resolved
        and identity.agency_id
        != _registry_agency_id(registry_name, hints.registry_region_code, hints.registry_level, hints.year)
    ):
        identity.warnings.append(f"document_differs_from_registry:{registry_name}->{identity.agency_name}")
    return identity


@cache
def _registry_agency_id(name: str, region_code: str | None, level: str | None, year: int | None) -> str:
    """The id of the agency the registry says publishes on the site (to compare with the document's)."""
    hints = AgencyHints(publisher=name, registry_region_code=region_code, registry_level=level, year=year)
    return resolve_agency(hints).agency_id


class _Evidence(TypedDict):
    """What the document and the site said about the agency, carried onto every AgencyIdentity."""

    raw_names: tuple[str, ...]
    org_code: str | None
    uscc: str | None
    site_id_code: str | None


def _resolve_named(
    hints: AgencyHints,
    names: list[str],
    warnings: list[str],
    uscc: str | None,
    org_code: str | None,
    site_id: str | None,
) -> AgencyIdentity:
    evidence = _Evidence(raw_names=tuple(names), org_code=org_code, uscc=uscc, site_id_code=site_id)
    if not names:
        warnings.append("no_agency_name")
        key = _text(hints.url) or _text(hints.index_no)
        return AgencyIdentity(
            f"x-{_hash(key, 10)}",
            "",
            "other",
            None,
            None,
            None,
            "agency",
            warnings=warnings,
            resolved=False,
            **evidence,
        )
    parsed = [_parse(n) for n in names]
    primary = parsed[0]
    if primary.agency_type == "gov_office" and _AGGREGATE.search(_text(hints.preamble)):
        warnings.append("office_report_aggregates_region")
        primary.agency_type = "gov"
    if primary.agency_type == "ministry" or (site_id and _is_ministry_site(site_id) and not primary.places):
        return _ministry(primary, warnings, evidence)
    candidates = _pick_region(hints, parsed, warnings)
    if len(candidates) != 1:
        warnings.append(f"ambiguous_region:{','.join(candidates)}" if candidates else "no_region")
        name = _full_name(primary, None) if primary.places else names[0]
        return AgencyIdentity(
            _fallback_id(name, primary, hints, warnings),
            name,
            primary.agency_type,
            None,
            None,
            None,
            _scope(primary.agency_type),
            warnings=warnings,
            resolved=False,
            **evidence,
        )
    code = candidates[0]
    place = region(code, hints.year) or region(code)
    slug = _slug(primary)
    agency_id = f"{stable_code(code)}-{_ID_SEGMENT[primary.agency_type]}" + (f"-{slug}" if slug else "")
    level = "township" if primary.agency_type in _SUB_COUNTY_NAME else (place.level if place else None)
    return AgencyIdentity(
        agency_id,
        _full_name(primary, place),
        primary.agency_type,
        code,
        place.path if place else None,
        level,
        _scope(primary.agency_type),
        warnings=warnings,
        **evidence,
    )


def _fallback_id(name: str, parsed: _Parsed, hints: AgencyHints, warnings: list[str]) -> str:
    """x- + 10 hex of the name's sha1. A name without any place (区政府办公室) is the same string
    for every district, so the site's host joins the hash then, at the cost of a new id if the site
    moves."""
    key = name
    host = urlsplit(_text(hints.url)).hostname if hints.url else None
    if not parsed.places and host:
        key = f"{name}|{host}"
        warnings.append("fallback_id_includes_host")
    return f"x-{_hash(key, 10)}"


def _ministry(parsed: _Parsed, warnings: list[str], evidence: _Evidence) -> AgencyIdentity:
    known = _table_lookup(parsed.body, _MINISTRIES)
    slug = known[1] if known else _open_slug(_dept_key(parsed.body))
    return AgencyIdentity(
        f"bm-{slug}", parsed.body, "ministry", None, None, "national", "agency", warnings=warnings, **evidence
    )
