"""Reports before the 2019 template: the 2014–2018 national statistics table, local 附表 and prose.

Two codebooks (`pipeline/data/codebook-2014.csv`, `codebook-legacy.csv`, documented in
docs/templates.md):

- template "2014": the national 《政府信息公开情况统计表》 (国办发〔2014〕32号) that many 2014–2018
  reports attach — rows 统计指标 | 单位 | 统计数. Rows are matched by their 统计指标 label (in
  the context of their block, for the 维持/纠错/其他情形 rows that 复议 and 诉讼 share), the
  unit is read from the 单位 column and the value from the 统计数 column only: local variants'
  区政府/区直单位/乡镇街道 columns are never read as 统计数.
- template "legacy": reports with no national table (2008–2013, and later ones without it).
  Local 附表 (指标名称 | 计量单位 | 本年度 | 历年累计 …) are read from the year's column, never
  the cumulative one, and the figures the prose gives (主动公开信息数, 收到申请数 by channel,
  the answers, 行政复议/行政诉讼, fees) are extracted where a sentence states them plainly.
  Everything else stays missing: a figure that is ambiguous (分别…, 累计…, two different values)
  is not taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.grid import GridCell, TableGrid
from pipeline.matcher import MatchedCell, MatchResult
from pipeline.numbers import CellValue, label_key, read_cell, squash
from pipeline.readers import Document
from pipeline.report import (
    KIND_NUMBER,
    KIND_TEXT,
    STATUS_PARTIAL,
    Check,
    Fact,
    Report,
)

Key = tuple[str, str, str]
STATS_TEMPLATE, LEGACY_TEMPLATE = "2014", "legacy"
STATS_SECTION, LEGACY_SECTION = "statistics_2014", "legacy"
# Fewer matched rows than this and a table is not taken for the national one (a local table that
# shares a label or two with it is read as a legacy table instead).
_MIN_STATS_ROWS = 8

FactBuilder = Callable[[dict[Key, MatchedCell], str, list[str]], list[Fact]]


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^(其中[:,]?|[一二三四五六七八九十]+[,.]|\([一二三四五六七八九十\d]+\)|\d+[.,]?)")


def _label(text: str) -> str:
    """A row label reduced to its words: "（一）1.其中：当面申请数" -> "当面申请数"."""
    key = label_key(text)
    while (stripped := _NUMBERING.sub("", key)) != key:
        key = stripped
    return key


def _first(rows: tuple[tuple[str, str], ...], key: str) -> str | None:
    return next((code for code, pattern in rows if re.search(pattern, key)), None)


# 统计指标 of the national table, most specific first (the order matters: 同意部分公开 before
# 同意公开, the 其中 rows before their parents).
_STATS_ROWS: tuple[tuple[str, str], ...] = (
    ("active_normative", r"主动公开规范性文件"),
    ("normative_issued", r"制发规范性文件"),
    ("active_gazette", r"政府公报公开"),
    ("active_website", r"政府网站公开"),
    ("active_weibo", r"政务微博公开|微博公开"),
    ("active_wechat", r"政务微信公开|微信公开"),
    ("active_other", r"其他方式公开"),
    ("active_total", r"主动公开政府信息数|主动公开信息数"),
    ("response_hotspots", r"回应.*(热点|舆情)"),
    ("press_conferences_leaders", r"主要负责(同志|人)参加新闻发布会"),
    ("press_conferences", r"新闻发布会"),
    ("online_interviews_leaders", r"主要负责(同志|人)参加.*访谈"),
    ("online_interviews", r"在线访谈"),
    ("policy_interpretations", r"政策解读稿件|解读稿件"),
    ("weibo_wechat_responses", r"微博微信回应"),
    ("other_responses", r"其他方式回应"),
    ("requests_in_person", r"当面申请"),
    ("requests_fax", r"传真申请"),
    ("requests_online", r"网络申请|网上申请"),
    ("requests_letter", r"信函申请"),
    ("requests_received", r"收到申请"),
    ("requests_closed_on_time", r"按时办结"),
    ("requests_closed_extended", r"延期办结"),
    ("requests_closed", r"申请办结"),
    ("answers_already_public", r"已主动公开"),
    ("answers_partially_disclosed", r"同意部分公开"),
    ("answers_refused", r"不同意公开"),
    ("answers_disclosed", r"同意公开"),
    ("answers_total", r"申请答复数"),
    ("refused_state_secret", r"国家秘密"),
    ("refused_commercial_secret", r"商业秘密"),
    ("refused_privacy", r"个人隐私"),
    ("refused_security_stability", r"国家安全|公共安全|社会稳定"),
    ("refused_not_gov_info", r"所指(的)?政府信息"),
    ("refused_other_law", r"法律法规规定的其他"),
    ("answers_not_this_agency", r"不属于本(行政)?机关"),
    ("answers_not_exist", r"信息不存在"),
    ("answers_correction_requested", r"更改补充"),
    ("answers_other_channel", r"其他途径"),
    ("review_total", r"^行政复议(数量|数|案件数)"),
    ("litigation_total", r"^行政诉讼(数量|数|案件数)"),
    ("complaints", r"举报投诉"),
    ("fees", r"收取的?费用"),
    ("offices", r"专门机构"),
    ("reading_points", r"查阅点|查阅场所"),
    ("staff_full_time", r"专职人员"),
    ("staff_part_time", r"兼职人员"),
    ("staff_total", r"工作人员数"),
    ("budget", r"专项经费"),
    ("meetings", r"召开.*会议|会议(次)?数"),
    ("trainings", r"培训班"),
    ("trainees", r"接受培训"),
)
# Rows 复议 and 诉讼 share: resolved by the block they sit in.
_OUTCOME_ROWS: tuple[tuple[str, str], ...] = (
    ("upheld", r"维持"),
    ("corrected", r"纠错|纠正"),
    ("other", r"其他情形"),
)
_OUTCOME_BLOCKS = {"review_total": "review", "litigation_total": "litigation"}
_HEADING_UNITS = frozenset({"", "-", "—", "——", "/", "--"})

# Row labels of local tables (2008–2013 附表 such as 定西's and 莆田's), matched from the start.
_LEGACY_ROWS: tuple[tuple[str, str], ...] = (
    ("active_items", r"^(本年度?)?主动公开(的)?(政府)?信息(数|总数|条数)"),
    ("requests_in_person", r"^当面申请"),
    ("requests_fax", r"^传真申请"),
    ("requests_email", r"^(电子)?邮件申请"),
    ("requests_online", r"^(网上|网络|互联网|在线)申请"),
    ("requests_letter", r"^(信函|邮寄|信件)申请"),
    ("requests_other", r"^其[他它](形式|方式)?申请"),
    ("requests_received", r"^(收到|受理)?(政府信息公开|依申请公开)?申请(总数|数|件数|总件数)$"),
    ("answers_partially_disclosed", r"^(同意)?部分公开"),
    ("answers_refused", r"^(不同意|否决|不予)公开"),
    ("answers_disclosed", r"^同意公开"),
    ("answers_total", r"^(对申请的)?答复(总)?数|^申请答复(总)?数|^办结(总)?数"),
    ("answers_not_gov_info", r"^(非|不是).*政府信息"),
    ("answers_not_exist", r"^信息不存在|^申请信息不存在"),
    ("answers_not_held", r"^非本(部门|机关|单位)掌握|^不属于本(部门|机关|单位)"),
    ("answers_unclear", r"^申请内容不明确"),
    ("fees", r"^(依申请公开)?收(取)?(的)?费(用)?"),
    ("reviews", r"^行政复议"),
    ("litigation", r"^行政诉讼"),
    ("appeals", r"^(行政)?申诉"),
    ("consultations", r"^(政府信息公开)?咨询(总)?数"),
)


# ---------------------------------------------------------------------------------------------
# Indicator tables: label | unit | value columns
# ---------------------------------------------------------------------------------------------

_LABEL_HEAD = re.compile(r"统计指标|指标名称|指标|项目|名称")
_UNIT_HEAD = re.compile(r"^(计量)?单位$")
_CUMULATIVE = re.compile(r"累计")
# Columns of the parts of a region (a district's own figure, its departments', its towns').
_SPLIT = re.compile(r"区政府|县政府|市政府|区直|县直|市直|乡镇|街道|镇街|部门")
_VALUE_HEAD = re.compile(r"统计数|本期(实际)?|本年度?|\d{4}年度?|数量|数值|合计|总计|总数|^数$")
_UNITS = frozenset({"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "宗", "项", "份", "-", "—"})


@dataclass
class _Columns:
    label: int
    unit: int | None
    value: int | None


@dataclass(frozen=True)
class IndicatorRow:
    label: str
    unit: str
    value: str


def _distinct(row: list[GridCell]) -> list[tuple[int, str]]:
    """(column, text) of a row with horizontal span copies dropped."""
    out: list[tuple[int, str]] = []
    for c, cell in enumerate(row):
        if c and row[c - 1].origin == cell.origin:
            continue
        out.append((c, cell.text))
    return out


def _header(row: list[GridCell], warnings: list[str]) -> _Columns | None:
    cells = [(c, label_key(t)) for c, t in _distinct(row) if t.strip()]
    if any(read_cell(t).kind == KIND_NUMBER for _, t in cells):
        return None
    label = next((c for c, k in cells if _LABEL_HEAD.search(k)), None)
    if label is None:
        return None
    unit = next((c for c, k in cells if _UNIT_HEAD.search(k)), None)
    values = [
        (c, k)
        for c, k in cells
        if c not in (label, unit) and (_VALUE_HEAD.search(k) or _CUMULATIVE.search(k) or _SPLIT.search(k))
    ]
    plain = [c for c, k in values if not _CUMULATIVE.search(k) and not _SPLIT.search(k)]
    if unit is None and not values:
        return None
    skipped = [k for c, k in values if c not in plain]
    if skipped:
        warnings.append(f"columns_not_read: {', '.join(skipped)} (cumulative or part-of-region figures)")
    if not plain:
        warnings.append("no_value_column: the table has no 统计数/本年度 column; its rows are not read")
    return _Columns(label, unit, plain[0] if plain else None)


def _infer_columns(grid: TableGrid) -> _Columns | None:
    """Columns of a table printed without a header: the unit column is the one of unit words,
    the value column the first mostly-numeric one to its right, the label the text to its left."""
    width = max((len(r) for r in grid.rows), default=0)
    texts = [[squash(r[c].text) if c < len(r) else "" for r in grid.rows] for c in range(width)]

    def share(c: int, test: Callable[[str], bool]) -> float:
        filled = [t for t in texts[c] if t]
        return sum(map(test, filled)) / len(filled) if filled else 0.0

    units = [c for c in range(width) if share(c, lambda t: t in _UNITS) >= 0.5]
    if not units:
        return None
    unit = units[0]
    values = [
        c for c in range(unit + 1, width) if share(c, lambda t: read_cell(t).kind == KIND_NUMBER) >= 0.5
    ]
    labels = [c for c in range(unit) if share(c, lambda t: read_cell(t).kind == KIND_TEXT) >= 0.5]
    if not values or not labels:
        return None
    return _Columns(labels[-1], unit, values[0])


def indicator_rows(grids: list[TableGrid], warnings: list[str]) -> Iterator[IndicatorRow]:
    """(label, unit, value) of every row of the indicator tables among the grids.

    A header row names the columns; a table continued on the next page (no header, same width)
    keeps the columns of the last header; a table with no header at all has them inferred.
    """
    columns: _Columns | None = None
    width = -1
    for grid in grids:
        rows = grid.rows
        if not rows:
            continue
        if max(len(r) for r in rows) != width:
            columns = None
        width = max(len(r) for r in rows)
        for row in rows:
            header = _header(row, warnings)
            if header is not None:
                columns = header
                continue
            columns = columns or _infer_columns(grid)
            if columns is None or columns.value is None or columns.value >= len(row):
                continue
            label = row[columns.label].text if columns.label < len(row) else ""
            unit = row[columns.unit].text if columns.unit is not None and columns.unit < len(row) else ""
            if label.strip():
                yield IndicatorRow(label, squash(unit), row[columns.value].text)


def _store(result: MatchResult, key: Key, row: IndicatorRow) -> None:
    cell = read_cell(row.value)
    if cell.kind == KIND_NUMBER and not cell.unit and row.unit in ("元", "万元", "亿元"):
        cell = CellValue(cell.kind, cell.value, row.unit)  # the 单位 column, for money conversion
    previous = result.cells.get(key)
    if previous is not None:
        if previous.cell.value != cell.value:
            name = "/".join(key)
            result.warnings.append(f"duplicate_row: {name} given twice ({previous.raw!r}, {row.value!r})")
        return
    result.cells[key] = MatchedCell(key, row.value, row.label, cell)


def match_statistics(grids: list[TableGrid]) -> MatchResult:
    """Cells of the national 2014–2018 statistics table."""
    result = MatchResult()
    block = ""
    for row in indicator_rows(grids, result.warnings):
        if not row.value.strip() and row.unit in _HEADING_UNITS:
            continue  # a block heading ("九、政府信息公开会议和培训情况 | —")
        key = _label(row.label)
        code = _first(_STATS_ROWS, key)
        if code in _OUTCOME_BLOCKS:
            block = _OUTCOME_BLOCKS[code]
        elif code is None and block and (outcome := _first(_OUTCOME_ROWS, key)):
            code = f"{block}_{outcome}"
        if code is None:
            if read_cell(row.value).kind == KIND_NUMBER:
                result.warnings.append(f"row_not_mapped: {row.label.strip()!r} = {row.value.strip()}")
            continue
        _store(result, (STATS_SECTION, code, "value"), row)
    return result


def match_local_tables(grids: list[TableGrid]) -> MatchResult:
    """Cells of local pre-2014 附表 (their year column, never a cumulative one)."""
    result = MatchResult()
    for row in indicator_rows(grids, result.warnings):
        code = _first(_LEGACY_ROWS, _label(row.label))
        if code is not None:
            _store(result, (LEGACY_SECTION, code, "value"), row)
    return result


# ---------------------------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------------------------

_NUMBER = r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
_COUNT_UNITS = r"件|宗|起|个|项|份|条|次|人次"
# (code, phrase, units). The number must follow the phrase within a few characters of the same
# clause ("共受理政府信息公开申请10件", "“同意公开”的7件", "行政复议0件").
_PROSE: tuple[tuple[str, str, str], ...] = (
    ("active_items", r"(?<!申请)(?<!依)主动公开(各类|各项)?(政府)?信息", r"条|件"),
    ("requests_received", r"(收到|受理|接到|接收)[^\d,。;、]{0,12}?申请(?!人)", _COUNT_UNITS),
    ("requests_in_person", r"当面(提出)?申请|现场申请", _COUNT_UNITS),
    ("requests_online", r"(网上|网络|互联网|在线)(提出|提交)?申请", _COUNT_UNITS),
    ("requests_email", r"(电子)?邮件申请", _COUNT_UNITS),
    ("requests_letter", r"(信函|邮寄|信件)申请", _COUNT_UNITS),
    ("requests_fax", r"传真申请", _COUNT_UNITS),
    ("answers_partially_disclosed", r"(同意)?部分公开", _COUNT_UNITS),
    ("answers_refused", r"不予公开|不同意公开|否决公开", _COUNT_UNITS),
    ("answers_disclosed", r"(?<!不)同意公开|予以公开", _COUNT_UNITS),
    ("answers_not_exist", r"信息不存在", _COUNT_UNITS),
    ("answers_not_held", r"非本(机关|部门|单位)掌握|不属于本(机关|部门|单位)", _COUNT_UNITS),
    ("answers_unclear", r"内容不明确", _COUNT_UNITS),
    ("reviews", r"行政复议", _COUNT_UNITS),
    ("litigation", r"行政诉讼", _COUNT_UNITS),
    ("appeals", r"(?<!行政)申诉", _COUNT_UNITS),
    ("consultations", r"咨询", r"人次|次|件|个"),
    ("fees", r"(收取|收费)", r"元|万元"),
)
# Statements of none: "未发生因政府信息公开申请行政复议、提起行政诉讼的情况", "未收取任何费用".
_NONE = r"未|没有|无"
_ZERO_OK = frozenset({"requests_received", "reviews", "litigation", "appeals", "fees"})
# Clauses about other periods or about changes, and clauses that list several figures at once.
_NOT_THIS_YEAR = re.compile(r"累计|历年|以来|同比|环比|较上年|比上年|比去年|较去年|分别")
_CLAUSES = re.compile(r"[。;!?]|(?<!\d),|,(?!\d)")
_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_POWERS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """'十二' -> 12, '一百零五' -> 105, '两' -> 2; None for anything else."""
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            total += (1 if digit is None else digit) * _POWERS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _prose_text(text: str) -> str:
    """NFKC, no white space, no quotes ("“同意公开”的" reads as "同意公开的")."""
    flat = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s“”\"'‘’「」]", "", flat)


def prose_figures(text: str) -> tuple[dict[str, tuple[float, str, str]], list[str]]:
    """The figures the prose states: code -> (value, unit, clause), and warnings.

    A figure stated twice with different values is dropped (which one is the year's?).
    """
    found: dict[str, tuple[float, str, str]] = {}
    conflicts: dict[str, set[float]] = {}
    for clause in _CLAUSES.split(_prose_text(text)):
        if not clause or _NOT_THIS_YEAR.search(clause):
            continue
        for code, value, unit in _clause_figures(clause):
            if code in found and found[code][0] != value:
                conflicts.setdefault(code, {found[code][0]}).add(value)
                continue
            found.setdefault(code, (value, unit, clause[:80]))
    warnings = []
    for code, values in conflicts.items():
        del found[code]
        shown = ", ".join(f"{v:g}" for v in sorted(values))
        warnings.append(f"legacy_conflict: {code} stated with different values ({shown}); left missing")
    return found, warnings


def _clause_figures(clause: str) -> Iterator[tuple[str, float, str]]:
    has_digit = any(ch.isdigit() for ch in clause)
    for code, phrase, units in _PROSE:
        pattern = rf"(?:{phrase})[^\d,。;]{{0,8}}?{_NUMBER}(?P<unit>{units})"
        match = re.search(pattern, clause)
        if match:
            number = match.group("num")
            value = float(number.replace(",", "")) if number[0].isdigit() else chinese_number(number)
            if value is not None:
                yield code, value, match.group("unit")
        elif code in _ZERO_OK and not has_digit:
            none = re.search(rf"(?:{_NONE})[^,。;]{{0,20}}?(?:{phrase})", clause)
            if none:
                yield code, 0.0, "元" if code == "fees" else ""


# ---------------------------------------------------------------------------------------------
# Rules of the 2014 table
# ---------------------------------------------------------------------------------------------

_SUMS_2014: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "stats2014_requests_channels",
        "requests_received",
        ("requests_in_person", "requests_fax", "requests_online", "requests_letter"),
    ),
    ("stats2014_requests_closed", "requests_closed", ("requests_closed_on_time", "requests_closed_extended")),
    (
        "stats2014_refusal_reasons",
        "answers_refused",
        (
            "refused_state_secret",
            "refused_commercial_secret",
            "refused_privacy",
            "refused_security_stability",
            "refused_not_gov_info",
            "refused_other_law",
        ),
    ),
    ("stats2014_review_total", "review_total", ("review_upheld", "review_corrected", "review_other")),
    (
        "stats2014_litigation_total",
        "litigation_total",
        ("litigation_upheld", "litigation_corrected", "litigation_other"),
    ),
    ("stats2014_staff_total", "staff_total", ("staff_full_time", "staff_part_time")),
)
RULES_2014 = tuple(rule for rule, _, _ in _SUMS_2014)


def rule_cells_2014() -> dict[tuple[str, str], list[Key]]:
    """(rule, scope) -> the cells of that sum, for flagging cells of a rule that fails after OCR."""
    return {
        (rule, f"item:{total}"): [(STATS_SECTION, item, "value") for item in (total, *parts)]
        for rule, total, parts in _SUMS_2014
    }


def run_checks_2014(facts: dict[Key, Fact]) -> list[Check]:
    """The implied sums of the 2014 table, on the rows whose every cell holds a number."""
    checks = []
    for rule, total, parts in _SUMS_2014:
        values = [facts.get((STATS_SECTION, item, "value")) for item in (total, *parts)]
        if any(f is None or f.value is None for f in values):
            continue
        expected, actual = values[0].value, sum(f.value for f in values[1:])  # type: ignore[union-attr,misc]
        ok = abs(expected - actual) < 1e-6
        detail = f"item:{total}: {expected:g} {'=' if ok else '≠'} sum of parts {actual:g}"
        checks.append(Check(rule, ok, detail, f"item:{total}", expected, actual))
    return checks


# ---------------------------------------------------------------------------------------------
# Filling a report
# ---------------------------------------------------------------------------------------------


def _pre2019_cells(report: Report, document: Document) -> tuple[str, MatchResult]:
    """The national table if the document has it, else legacy tables and prose."""
    warnings: list[str] = []
    if report.template == STATS_TEMPLATE:
        matched = match_statistics(document.tables)
        if len(matched.cells) >= _MIN_STATS_ROWS:
            return STATS_TEMPLATE, matched
        warnings = [
            *matched.warnings,
            f"statistics_2014_unmatched: only {len(matched.cells)} rows of the national table; "
            "read as a legacy report",
        ]
    matched = match_legacy(document)
    matched.warnings[:0] = warnings
    return LEGACY_TEMPLATE, matched


def match_legacy(document: Document) -> MatchResult:
    """Legacy facts: local tables first, then what the prose states (a table wins a disagreement)."""
    result = match_local_tables(document.tables)
    figures, warnings = prose_figures(document.text)
    result.warnings.extend(warnings)
    for code, (value, unit, clause) in figures.items():
        key = (LEGACY_SECTION, code, "value")
        number: int | float = int(value) if value.is_integer() else value
        previous = result.cells.get(key)
        if previous is None:
            result.cells[key] = MatchedCell(key, clause, "prose", CellValue(KIND_NUMBER, number, unit))
        elif previous.cell.value != number and unit not in ("元", "万元"):
            result.warnings.append(
                f"legacy_conflict: {code} is {previous.cell.value} in the table, {number:g} in the prose"
            )
    return result


def fill_pre2019(report: Report, document: Document, build_facts: FactBuilder) -> None:
    """Facts of a document without a 2019/2021 table: the 2014 table, or legacy tables and prose.

    `build_facts` turns matched cells into facts (the parser's, so units and counts are read the
    same way for every template). Sets template, facts, checks and warnings; the status is the
    caller's.
    """
    template, matched = _pre2019_cells(report, document)
    report.warnings.extend(w for w in dict.fromkeys(matched.warnings) if w not in report.warnings)
    if not matched.cells:
        report.template = None
        report.status = STATUS_PARTIAL
        report.warnings.append("no_tables: no statistical table of a known template was found")
        return
    report.template = template
    if template == LEGACY_TEMPLATE:
        report.template_evidence = sorted({c.raw_label for c in matched.cells.values()})[:12]
    report.facts = build_facts(matched.cells, template, report.warnings)
    if template == STATS_TEMPLATE:
        report.checks = run_checks_2014({f.key: f for f in report.facts})
    if "ocr_pages" in document.metadata or "ocr_images" in document.metadata:
        from pipeline.readers.ocr import apply_ocr_evidence

        match = match_statistics if template == STATS_TEMPLATE else match_local_tables
        rules = rule_cells_2014() if template == STATS_TEMPLATE else {}
        apply_ocr_evidence(report, document.tables, match, rules)
