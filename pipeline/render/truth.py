"""Random, rule-consistent ground truth for one annual report.

The ground truth is what a perfect parser must recover from a rendered report: every codebook
cell with its value and the exact text the agency published. It is generated here, independently
of the parser, from the template rules of domain-notes §1.5 and the quirks of §6.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from pipeline.codebook import (
    APPLICANT_COLUMNS,
    LEGAL_PERSON_COLUMNS,
    REQUEST_COLUMNS,
    REVIEW_ITEMS,
    REVIEW_PARTS,
    load_codebook,
)
from pipeline.report import KIND_EMPTY, KIND_NOT_APPLICABLE, KIND_NUMBER, KIND_TEXT

Key = tuple[str, str, str]
Value = int | float | None

RULES = ("requests_balance", "requests_results_total", "requests_applicant_total", "review_litigation_total")

# Rows of table 三 around the result rows; the result rows are everything in between.
_REQUEST_HEAD = ("new_requests", "carried_over")
_REQUEST_TAIL = ("results_total", "carried_forward")
# Placeholders real sites use for "not applicable" (quirk 7); only "/" is generated.
_NA_TOKENS = {"/", "／", "-", "—", "--", "——", "不适用", "N/A", "无"}
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def result_items(template: str) -> list[str]:
    """The result rows of table 三 (（一）…（六）), whose sum is （七）总计."""
    items = load_codebook(template).items("requests")
    return [i for i in items if i not in _REQUEST_HEAD + _REQUEST_TAIL]


# --------------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------------

# (province, prefecture, county, GB/T 2260 code, site host, telephone area code). Names and codes
# are real (domain-notes §6.32, §7); hosts, site ids and telephone numbers are plausible stand-ins
# for the replica sites only.
_REGIONS = (
    ("黑龙江省", "佳木斯市", "前进区", "230804", "www.jmsqjq.gov.cn", "0454"),
    ("黑龙江省", "佳木斯市", "东风区", "230805", "www.jmsdf.gov.cn", "0454"),
    ("黑龙江省", "佳木斯市", "桦南县", "230822", "www.hljhn.gov.cn", "0454"),
    ("黑龙江省", "哈尔滨市", "道里区", "230102", "www.hrbdl.gov.cn", "0451"),
    ("山东省", "临沂市", "河东区", "371312", "www.hedong.gov.cn", "0539"),
    ("山东省", "威海市", "文登区", "371003", "www.wendeng.gov.cn", "0631"),
    ("天津市", "", "河东区", "120102", "www.tjhd.gov.cn", "022"),
    ("天津市", "", "和平区", "120101", "www.tjhp.gov.cn", "022"),
    ("北京市", "", "朝阳区", "110105", "www.bjchy.gov.cn", "010"),
    ("江苏省", "宿迁市", "沭阳县", "321322", "www.shuyang.gov.cn", "0527"),
    ("湖北省", "武汉市", "硚口区", "420104", "www.qiaokou.gov.cn", "027"),
    ("湖北省", "武汉市", "汉阳区", "420105", "www.hanyang.gov.cn", "027"),
    ("浙江省", "杭州市", "余杭区", "330110", "www.yuhang.gov.cn", "0571"),
    ("辽宁省", "沈阳市", "于洪区", "210114", "www.syyh.gov.cn", "024"),
    ("广东省", "湛江市", "徐闻县", "440825", "www.xuwen.gov.cn", "0759"),
    ("吉林省", "吉林市", "舒兰市", "220283", "www.shulan.gov.cn", "0432"),
    ("吉林省", "白山市", "临江市", "220681", "www.linjiang.gov.cn", "0439"),
    ("甘肃省", "定西市", "安定区", "621102", "www.anding.gov.cn", "0932"),
    ("新疆维吾尔自治区", "克孜勒苏柯尔克孜自治州", "乌恰县", "653024", "www.xjwqx.gov.cn", "0908"),
    ("陕西省", "西安市", "长安区", "610116", "www.changanqu.gov.cn", "029"),
)
DEPARTMENTS = (
    "发展和改革局",
    "教育局",
    "财政局",
    "民政局",
    "司法局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "商务局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "统计局",
    "市场监督管理局",
    "医疗保障局",
    "人力资源和社会保障局",
    "行政审批局",
    "文化体育广播电视和旅游局",
)
_STREETS = ("中山街道", "新华街道", "长安街道", "建设街道", "胜利街道", "和平街道", "东风街道")
_TOWNS = ("城关镇", "新兴镇", "太平镇", "红旗镇", "永安乡", "和平乡")
# (name as titled, fullest form, self reference in prose, site host, SiteIDCode)
_MINISTRIES = (
    ("退役军人事务部", "中华人民共和国退役军人事务部", "我部", "www.mva.gov.cn", "bm73000001"),
    ("水利部", "中华人民共和国水利部", "我部", "www.mwr.gov.cn", "bm38000001"),
    ("商务部", "中华人民共和国商务部", "我部", "www.mofcom.gov.cn", "bm18000001"),
    ("国家统计局", "国家统计局", "我局", "www.stats.gov.cn", "bm36000001"),
    ("国家国际发展合作署", "国家国际发展合作署", "我署", "www.cidca.gov.cn", "bm82000001"),
)


@dataclass(frozen=True)
class Agency:
    name: str  # as the title names it
    full: str
    kind: str  # gov | gov_office | dept | street | town | city_gov | city_dept | ministry | custom
    place: str  # the place the agency governs or sits in ("前进区"), "" for ministries
    self_ref: str  # how the body refers to itself ("我区", "我局")
    office: str  # who answers the telephone ("前进区政府办")
    region_code: str
    host: str
    site_id: str  # 网站标识码
    phone: str


def _phone(rng: random.Random, area: str) -> str:
    digits = 8 if len(area) == 3 else 7
    return f"{area}-{rng.randint(2, 8)}{rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"


def random_agency(rng: random.Random) -> Agency:
    kind = rng.choices(
        ("gov", "gov_office", "dept", "street", "town", "city_gov", "city_dept", "ministry"),
        weights=(22, 10, 38, 6, 6, 5, 8, 5),
    )[0]
    if kind == "ministry":
        name, full, self_ref, host, site_id = rng.choice(_MINISTRIES)
        return Agency(
            name, full, kind, "", self_ref, f"{name}办公厅", "100000", host, site_id, _phone(rng, "010")
        )
    province, city, county, code, host, area = rng.choice(_REGIONS)
    site = {"host": host, "site_id": f"{code}{rng.randint(1, 60):04d}", "phone": _phone(rng, area)}
    # A municipality's districts have no prefecture: the fullest form is 天津市河东区人民政府.
    prefix = city or province
    level = county[-1]  # 区 / 县 / 市
    if kind in ("city_gov", "city_dept") and not city:
        kind = "dept"
    if kind == "city_gov":
        name = f"{city}人民政府"
        return Agency(name, name, kind, city, "我市", f"{city}政府办公室", code[:4] + "00", **site)
    if kind == "city_dept":
        dept = rng.choice(DEPARTMENTS)
        name = f"{city}{dept}"
        return Agency(name, name, kind, city, _dept_self_ref(dept), f"{name}办公室", code[:4] + "00", **site)
    if kind == "gov":
        name = f"{county}人民政府"
        return Agency(name, f"{prefix}{name}", kind, county, f"我{level}", f"{county}政府办", code, **site)
    if kind == "gov_office":
        name = rng.choice((f"{county}人民政府办公室", f"{county}政府办公室"))
        full = f"{prefix}{county}人民政府办公室"
        return Agency(name, full, kind, county, "我办", name, code, **site)
    if kind in ("street", "town"):
        unit = rng.choice(_STREETS if kind == "street" else _TOWNS)
        name = f"{unit}办事处" if kind == "street" else f"{unit}人民政府"
        self_ref = "我街道" if kind == "street" else f"我{unit[-1]}"
        return Agency(name, f"{prefix}{county}{name}", kind, county, self_ref, f"{unit}党政办", code, **site)
    dept = rng.choice(DEPARTMENTS)
    # District sites often title a department without its place ("区发展和改革局", §7.3).
    name = f"{county}{dept}" if rng.random() < 0.85 else f"{level}{dept}"
    full = f"{prefix}{county}{dept}"
    return Agency(name, full, "dept", county, _dept_self_ref(dept), f"{county}{dept}办公室", code, **site)


def _dept_self_ref(dept: str) -> str:
    return "我委" if dept.endswith("委员会") else "我局"


def _custom_agency(rng: random.Random, name: str, full: str | None) -> Agency:
    place = re.sub(r"(人民政府|政府)?(办公室)?$", "", name) or name
    site = {"host": "www.example.gov.cn", "site_id": "0000000001", "phone": _phone(rng, "010")}
    return Agency(name, full or name, "custom", place, "我单位", f"{place}办公室", "", **site)


# --------------------------------------------------------------------------------------------
# Magnitudes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """Typical yearly counts of an agency (log-scale centres; 0 = never)."""

    requests: float
    licensing: float
    penalty: float
    coercion: float
    fees: float  # 万元
    normative: float  # normative documents issued per year
    makes_rules: bool = False  # only 设区的市 governments and ministries issue 规章


_PROFILES = {
    "gov": _Profile(40, 3000, 800, 30, 300, 8),
    "city_gov": _Profile(300, 20000, 5000, 200, 2000, 20, makes_rules=True),
    "gov_office": _Profile(5, 0, 0, 0, 0, 3),
    "dept": _Profile(3, 50, 20, 1, 10, 2),
    "city_dept": _Profile(8, 300, 100, 5, 50, 3),
    "street": _Profile(0.5, 0, 5, 0, 0, 0.3),
    "town": _Profile(0.5, 0, 5, 0, 0, 0.3),
    "ministry": _Profile(800, 10000, 100, 0, 5000, 10, makes_rules=True),
    "custom": _Profile(10, 200, 50, 2, 20, 3),
}
_DEPT_PROFILES = {
    "市场监督管理局": _Profile(20, 3000, 800, 50, 20, 2),
    "自然资源局": _Profile(30, 300, 50, 5, 500, 2),
    "住房和城乡建设局": _Profile(25, 500, 100, 3, 200, 3),
    "行政审批局": _Profile(10, 20000, 0, 0, 50, 1),
    "统计局": _Profile(1, 0, 5, 0, 0, 0.5),
    "应急管理局": _Profile(3, 100, 150, 10, 0, 1),
}


def _profile(agency: Agency) -> _Profile:
    for dept, profile in _DEPT_PROFILES.items():
        if agency.kind in ("dept", "city_dept") and agency.name.endswith(dept):
            return profile
    return _PROFILES[agency.kind]


def _count(rng: random.Random, centre: float) -> int:
    """A non-negative count around `centre`, zero often for small centres (most cells are 0)."""
    if centre <= 0:
        return 0
    p_zero = 0.65 if centre < 2 else 0.35 if centre < 50 else 0.1
    if rng.random() < p_zero:
        return 0
    return max(1, round(centre * rng.lognormvariate(0, 1.0)))


def _spread(rng: random.Random, n: int, weights: list[float]) -> list[int]:
    """Distribute n units over len(weights) bins."""
    out = [0] * len(weights)
    if n:
        for i in rng.choices(range(len(weights)), weights=weights, k=n):
            out[i] += 1
    return out


# Relative frequency of each result row (（一）…（六）) in real reports: most requests are
# disclosed or the information is not held; the withholding reasons are rare.
_RESULT_WEIGHTS = {
    "disclosed": 45,
    "partially_disclosed": 8,
    "withheld_state_secret": 0.5,
    "withheld_prohibited_by_law": 0.5,
    "withheld_security_stability": 0.5,
    "withheld_third_party": 1.5,
    "withheld_internal_affairs": 1,
    "withheld_process_info": 1.5,
    "withheld_enforcement_files": 0.5,
    "withheld_inquiry_matter": 1,
    "unavailable_not_held": 20,
    "unavailable_needs_creation": 3,
    "unavailable_unclear": 3,
    "not_processed_petition": 4,
    "not_processed_duplicate": 4,
    "not_processed_publication": 1,
    "not_processed_excessive": 1,
    "not_processed_confirmation": 1,
    "other_no_correction": 3,
    "other_unpaid_fee": 0.5,
    "other_other": 3,
    "other_handling": 6.5,  # 2019: the three （六） rows in one
}
_APPLICANT_WEIGHTS = (85, 8, 0.5, 1, 3, 2.5)


def _request_values(rng: random.Random, template: str, profile: _Profile) -> dict[Key, int]:
    results = result_items(template)
    new_total = _count(rng, profile.requests)
    carried_total = _count(rng, max(new_total * 0.08, 0.3)) if new_total else int(rng.random() < 0.05)
    new = _spread(rng, new_total, list(_APPLICANT_WEIGHTS))
    carried = _spread(rng, carried_total, list(_APPLICANT_WEIGHTS))
    # One handling style per agency, shared by its applicant columns; some rows never used.
    weights = [
        0.0 if rng.random() < 0.3 else _RESULT_WEIGHTS[r] * rng.lognormvariate(0, 0.5) for r in results
    ]
    weights[0] = max(weights[0], 1.0)
    p_forward = 0.0 if rng.random() < 0.5 else rng.uniform(0.02, 0.15)
    values: dict[Key, int] = {}
    for i, col in enumerate(APPLICANT_COLUMNS):
        handled = new[i] + carried[i]
        forward = sum(rng.random() < p_forward for _ in range(handled))
        spread = _spread(rng, handled - forward, weights)
        values[("requests", "new_requests", col)] = new[i]
        values[("requests", "carried_over", col)] = carried[i]
        for item, n in zip(results, spread, strict=True):
            values[("requests", item, col)] = n
        values[("requests", "results_total", col)] = handled - forward
        values[("requests", "carried_forward", col)] = forward
    for item in (*_REQUEST_HEAD, *results, *_REQUEST_TAIL):
        values[("requests", item, "total")] = sum(values[("requests", item, c)] for c in APPLICANT_COLUMNS)
    return values


def _review_values(rng: random.Random, requests: int) -> dict[Key, int]:
    values: dict[Key, int] = {}
    centres = {"administrative_review": 0.06, "litigation_direct": 0.02, "litigation_after_review": 0.015}
    for item in REVIEW_ITEMS:
        n = _count(rng, requests * centres[item]) if requests else int(rng.random() < 0.03)
        parts = _spread(rng, n, [50, 10, 20, 20])
        for part, v in zip(REVIEW_PARTS, parts, strict=True):
            values[("review_litigation", item, part)] = v
        values[("review_litigation", item, "total")] = n
    return values


def _fee(rng: random.Random, centre: float) -> float:
    """行政事业性收费 in 万元 with 0–2 decimals ("188.9", "12.35", "0")."""
    if centre <= 0 or rng.random() < 0.45:
        return 0.0
    return round(centre * rng.lognormvariate(0, 1.2), rng.choice((0, 1, 2, 2)))


def _active_values_2021(rng: random.Random, p: _Profile) -> dict[Key, Value]:
    s = "active_disclosure"
    values: dict[Key, Value] = {}
    rules_issued = _count(rng, 2) if p.makes_rules else 0
    values[(s, "rules", "issued")] = rules_issued
    values[(s, "rules", "repealed")] = _count(rng, 1) if p.makes_rules else 0
    values[(s, "rules", "in_force")] = rules_issued + rng.randint(5, 120) if p.makes_rules else 0
    issued = _count(rng, p.normative)
    repealed = _count(rng, p.normative / 2)
    values[(s, "normative_documents", "issued")] = issued
    values[(s, "normative_documents", "repealed")] = repealed
    stock = issued + (rng.randint(0, round(p.normative * 15)) if p.normative >= 1 else 0)
    values[(s, "normative_documents", "in_force")] = stock
    values[(s, "administrative_licensing", "decisions")] = _count(rng, p.licensing)
    values[(s, "administrative_penalty", "decisions")] = _count(rng, p.penalty)
    values[(s, "administrative_coercion", "decisions")] = _count(rng, p.coercion)
    values[(s, "administrative_fees", "amount")] = _fee(rng, p.fees)
    return values


def _active_values_2019(rng: random.Random, p: _Profile) -> dict[Key, Value]:
    s = "active_disclosure"
    values: dict[Key, Value] = {}
    for item, centre in (("rules", 2 if p.makes_rules else 0), ("normative_documents", p.normative)):
        made = _count(rng, centre)
        values[(s, item, "newly_made")] = made
        values[(s, item, "newly_published")] = made if rng.random() < 0.8 else _count(rng, centre)
        values[(s, item, "total_published")] = made + (
            rng.randint(0, round(centre * 15)) if centre >= 1 else 0
        )
    catalogue = {
        "administrative_licensing": (p.licensing, 0.05),
        "other_management_services": (p.licensing / 4, 0.05),
        "administrative_penalty": (p.penalty, 0.5),
        "administrative_coercion": (p.coercion, 0.5),
    }
    for item, (centre, items_per_decision) in catalogue.items():
        items = _count(rng, centre * items_per_decision + (3 if centre else 0))
        values[(s, item, "items_last_year")] = items
        values[(s, item, "items_change")] = (
            rng.randint(-min(items, 5), 8) if items and rng.random() < 0.5 else 0
        )
        values[(s, item, "decisions")] = _count(rng, centre)
    fee_items = _count(rng, 5 if p.fees else 0)
    values[(s, "administrative_fees", "items_last_year")] = fee_items
    values[(s, "administrative_fees", "items_change")] = (
        -rng.randint(0, min(fee_items, 2)) if fee_items else 0
    )
    projects = _count(rng, 6)
    values[(s, "government_procurement", "projects")] = projects
    values[(s, "government_procurement", "amount")] = (
        round(projects * 80000 * rng.lognormvariate(0, 0.8)) if projects else 0
    )
    return values


# --------------------------------------------------------------------------------------------
# Published text
# --------------------------------------------------------------------------------------------


def parse_published(text: str) -> tuple[str, Value]:
    """(kind, value) a perfect reader reports for a published cell text.

    NFKC folds full-width digits; thousands separators, a leading sign and a trailing 元/万元 unit
    (quirks 8, 9) are read as part of a number.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return KIND_EMPTY, None
    if s in _NA_TOKENS:
        return KIND_NOT_APPLICABLE, None
    m = re.fullmatch(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(万元|元)?", s, re.ASCII)
    if not m:
        return KIND_TEXT, None
    digits = m[2].replace(",", "")
    if m[3]:
        return KIND_NUMBER, float(f"{m[1]}{digits}{m[3]}")
    return KIND_NUMBER, int(f"{m[1]}{digits}")


@dataclass(frozen=True)
class _Style:
    blank_legal_person: bool
    full_width: bool
    thousands: bool
    fee_decimals: int  # decimals shown for 万元 amounts ("188.90" vs "188.9")
    plus_sign: bool  # "+5" in 2019 本年增/减 (quirk 9)
    procurement_unit: str  # "元" suffix in 2019 采购总金额 (quirk 8), or ""


def _publish(key: Key, value: Value, style: _Style, *, blank_zero: bool = True) -> str:
    if value is None:
        return "/"
    legal_person_cell = key[0] == "requests" and key[2] in LEGAL_PERSON_COLUMNS
    if blank_zero and style.blank_legal_person and legal_person_cell and value == 0:
        return ""
    sep = "," if style.thousands else ""
    if isinstance(value, float):  # 万元 amounts, rounded to at most 2 decimals
        decimals = max(len(f"{value:.2f}".rstrip("0").partition(".")[2]), style.fee_decimals)
        text = f"{value:{sep}.{decimals}f}"
    else:
        text = f"{abs(value):{sep}}"
        if value < 0:
            text = "-" + text
        elif value > 0 and style.plus_sign and key[2] == "items_change":
            text = "+" + text
    if style.full_width:
        text = text.translate(_FULL_WIDTH)
    if key == ("active_disclosure", "government_procurement", "amount") and value:
        text += style.procurement_unit
    return text


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


def rule_failures(template: str, values: dict[Key, Value]) -> dict[str, list[str]]:
    """The failing scopes of each rule of domain-notes §1.5 (1–4); an empty list means it holds."""

    def v(item: str, col: str, section: str = "requests") -> float:
        return values.get((section, item, col)) or 0

    results = result_items(template)
    failures: dict[str, list[str]] = {rule: [] for rule in RULES}
    for col in REQUEST_COLUMNS:
        received = v("new_requests", col) + v("carried_over", col)
        if received != v("results_total", col) + v("carried_forward", col):
            failures["requests_balance"].append(f"column:{col}")
        if v("results_total", col) != sum(v(item, col) for item in results):
            failures["requests_results_total"].append(f"column:{col}")
    for item in (*_REQUEST_HEAD, *results, *_REQUEST_TAIL):
        if v(item, "total") != sum(v(item, col) for col in APPLICANT_COLUMNS):
            failures["requests_applicant_total"].append(f"row:{item}")
    for item in REVIEW_ITEMS:
        parts = sum(v(item, p, "review_litigation") for p in REVIEW_PARTS)
        if v(item, "total", "review_litigation") != parts:
            failures["review_litigation_total"].append(f"item:{item}")
    return failures


def _break(rng: random.Random, rule: str, template: str, values: dict[Key, Value]) -> dict[Key, int]:
    """Changes to published numbers that make exactly `rule` fail (every cell of table 三 sits in a
    row sum and a column sum, so most breaks move two cells to keep the other rules intact)."""
    d = rng.randint(1, 3)
    col = rng.choice(APPLICANT_COLUMNS)

    def add(item: str, c: str, section: str = "requests") -> tuple[Key, int]:
        key = (section, item, c)
        return key, int(values[key] or 0) + d

    if rule == "requests_balance":  # a row outside the result sum, in one column and in 总计
        item = rng.choice(("new_requests", "carried_over", "carried_forward"))
        return dict((add(item, col), add(item, "total")))
    if rule == "requests_results_total":  # a result row, in one column and in 总计
        item = rng.choice(result_items(template))
        return dict((add(item, col), add(item, "total")))
    if rule == "requests_applicant_total":  # both sides of the balance in one column, not in 总计
        return dict((add("new_requests", col), add("carried_forward", col)))
    if rule == "review_litigation_total":
        item = rng.choice(REVIEW_ITEMS)
        return dict((add(item, rng.choice((*REVIEW_PARTS, "total")), "review_litigation"),))
    raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}")


# --------------------------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------------------------


@dataclass
class GroundTruth:
    template: str  # "2021" or "2019"
    year: int  # report (statistics) year
    agency: str  # as the title names it
    agency_full: str  # fullest form
    title: str
    # Every codebook key -> true value (None = not applicable). It equals the published number,
    # broken cells included; a legal-person cell published blank keeps its true value 0.
    values: dict[Key, Value]
    published: dict[Key, str]  # every codebook key -> cell text as published
    published_date: str  # ISO date
    broken: tuple[Key, ...] = ()  # cells perturbed by break_rule
    broken_rule: str | None = None
    # Beyond the brief: what the renderers and replica sites need to write a realistic page.
    agency_kind: str = "gov"  # as random_agency's kinds, or "zone" (with_zone_agency)
    place: str = ""
    self_ref: str = "我单位"
    office: str = ""
    phone: str = ""
    region_code: str = ""
    host: str = ""
    site_id: str = ""
    info_items: int = 0  # 主动公开信息条数, restated in the prose only (not a cell)
    # How the agency printed it, where that differs from the clean document (issue 8's classes):
    title_lines: tuple[str, ...] = ()  # the title broken over these lines ("" = as the renderer likes)
    metadata_title: str | None = None  # the file's own title property (None = the title)
    label_typos: tuple[tuple[str, str], ...] = ()  # (template row label, label as printed with a typo)

    def expected_kind(self, key: Key) -> str:
        """Kind of the published text: "number", "empty", "not_applicable" or "text"."""
        return parse_published(self.published[key])[0]

    def expected_value(self, key: Key) -> Value:
        """The value a parser reads from the published text (None for blank and "/" cells; a blank
        legal-person cell reads None although its true value in `values` is 0)."""
        return parse_published(self.published[key])[1]

    def rule_failures(self) -> dict[str, list[str]]:
        return rule_failures(self.template, self.values)


def printed_label(gt: GroundTruth, label: str) -> str:
    """A template row label as this report prints it (with its typo, if it has one)."""
    return dict(gt.label_typos).get(label, label)


def with_two_line_title(gt: GroundTruth, metadata_title: str = "Microsoft Word - 文档1") -> GroundTruth:
    """The report titled on two lines, the agency on the first and "YYYY年政府信息公开工作年度报告"
    on the second, in a file whose title property is a generic one naming neither."""
    lines = (gt.agency, f"{gt.year}年政府信息公开工作年度报告")
    return replace(gt, title="".join(lines), title_lines=lines, metadata_title=metadata_title)


def with_zone_agency(gt: GroundTruth, zone: str, prefix: str) -> GroundTruth:
    """The report of a zone run by a 管委会 (平潭综合实验区, 兰州新区 …): titled with the zone's
    name alone, its prose speaking of "<zone>政府信息公开工作", nowhere a 人民政府."""
    return replace(
        gt,
        agency=zone,
        agency_full=f"{prefix}{zone}管理委员会",
        title=f"{zone}{gt.year}年政府信息公开工作年度报告",
        agency_kind="zone",
        place=zone,
        self_ref="我区",
        office=f"{zone}管委会办公室",
    )


def _title(rng: random.Random, agency: Agency, year: int) -> str:
    name = agency.name
    forms = [
        f"{name}{year}年政府信息公开工作年度报告",
        f"{year}年{name}政府信息公开工作年度报告",
        f"{name}关于{year}年度政府信息公开工作的年度报告",
        f"{name}{year}年度政府信息公开工作报告",
        f"{name}{year}年政府信息公开年度报告",
    ]
    weights = [40, 20, 12, 12, 8]
    if agency.kind == "gov":
        # Place-only title; the body names the government (quirk 23).
        forms.append(f"关于{agency.place}{year}年度政府信息公开工作的年度报告")
        weights.append(8)
    return rng.choices(forms, weights=weights)[0]


def _published_date(rng: random.Random, agency: Agency, year: int) -> str:
    # Departments publish by 31 January, governments by 31 March (条例 Art. 49); a few are late.
    last = 90 if agency.kind in ("gov", "city_gov") else 31
    day = rng.randint(5, last) if rng.random() < 0.92 else rng.randint(32, 120)
    return date.fromordinal(date(year + 1, 1, 1).toordinal() + day - 1).isoformat()


def random_ground_truth(
    rng: random.Random,
    *,
    template: str = "2021",
    year: int | None = None,
    agency: str | None = None,
    agency_full: str | None = None,
    blank_legal_person: bool = False,
    not_applicable_rules: bool = False,
    full_width_digits: bool = False,
    thousands_separators: bool = False,
    break_rule: str | None = None,
) -> GroundTruth:
    """A random report whose values satisfy the template rules (unless `break_rule` names one)."""
    if template not in ("2021", "2019"):
        raise ValueError(f"unknown template {template!r}")
    if break_rule is not None and break_rule not in RULES:
        raise ValueError(f"unknown rule {break_rule!r}; expected one of {RULES}")
    ag = _custom_agency(rng, agency, agency_full) if agency else random_agency(rng)
    if year is None:
        year = rng.choice((2019, 2020)) if template == "2019" else rng.randint(2021, 2025)
    profile = _profile(ag)
    active = _active_values_2021(rng, profile) if template == "2021" else _active_values_2019(rng, profile)
    if not_applicable_rules:
        for key in active:
            if key[1] == "rules":
                active[key] = None
    requests = _request_values(rng, template, profile)
    review = _review_values(rng, int(requests[("requests", "new_requests", "total")]))
    values: dict[Key, Value] = {**active, **requests, **review}
    keys = load_codebook(template).keys
    assert set(values) == set(keys), "generator out of step with the codebook"
    values = {k: values[k] for k in keys}
    style = _Style(
        blank_legal_person=blank_legal_person,
        full_width=full_width_digits,
        thousands=thousands_separators,
        fee_decimals=rng.choice((0, 0, 0, 2)),
        plus_sign=rng.random() < 0.5,
        procurement_unit=rng.choice(("元", "")),
    )
    published = {k: _publish(k, v, style) for k, v in values.items()}
    broken: tuple[Key, ...] = ()
    if break_rule:
        changes = _break(rng, break_rule, template, values)
        values.update(changes)
        published.update({k: _publish(k, v, style, blank_zero=False) for k, v in changes.items()})
        broken = tuple(changes)
    return GroundTruth(
        template=template,
        year=year,
        agency=ag.name,
        agency_full=ag.full,
        title=_title(rng, ag, year),
        values=values,
        published=published,
        published_date=_published_date(rng, ag, year),
        broken=broken,
        broken_rule=break_rule,
        agency_kind=ag.kind,
        place=ag.place,
        self_ref=ag.self_ref,
        office=ag.office,
        phone=ag.phone,
        region_code=ag.region_code,
        host=ag.host,
        site_id=ag.site_id,
        info_items=_info_items(rng, profile),
    )


def _info_items(rng: random.Random, p: _Profile) -> int:
    """主动公开信息条数 restated in the prose (not a table cell)."""
    return max(3, round(30 * math.sqrt(p.licensing + p.penalty + 100) * rng.lognormvariate(0, 0.5)))


def continue_from(previous: GroundTruth, gt: GroundTruth) -> GroundTruth:
    """`gt` made the next year of `previous`, as an agency that keeps its books publishes it: the
    requests it carries over are those `previous` carried forward (per applicant column), and its
    rules and normative documents in force are last year's plus issued minus repealed (2021
    template in both years). The template's rules still hold: a change to 上年结转 is balanced in
    结转下年度 (or, where that would go negative, in 新收); cells touched are published as plain numbers."""
    values = dict(gt.values)

    def number(key: Key, source: dict[Key, Value] | None = None) -> int:
        return int((source or values)[key] or 0)

    for column in APPLICANT_COLUMNS:
        carried = ("requests", "carried_over", column)
        delta = number(("requests", "carried_forward", column), previous.values) - number(carried)
        values[carried] = number(carried) + delta
        forward, new = ("requests", "carried_forward", column), ("requests", "new_requests", column)
        if number(forward) + delta >= 0:
            values[forward] = number(forward) + delta
        else:
            values[new] = number(new) - delta
    for item in ("new_requests", "carried_over", "carried_forward"):
        values[("requests", item, "total")] = sum(number(("requests", item, c)) for c in APPLICANT_COLUMNS)
    if previous.template == gt.template == "2021":
        for item in ("rules", "normative_documents"):
            issued, repealed, in_force = (
                ("active_disclosure", item, c) for c in ("issued", "repealed", "in_force")
            )
            stock = number(in_force, previous.values) + number(issued) - number(repealed)
            if stock < 0:  # more repealed than there were: issue enough to stay at zero
                values[issued] = number(issued) - stock
                stock = 0
            values[in_force] = stock
    changed = {k: v for k, v in values.items() if v != gt.values[k]}
    published = {**gt.published, **{k: str(v) for k, v in changed.items()}}
    return replace(gt, values=values, published=published)
