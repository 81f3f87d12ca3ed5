"""Reports with no national table (2008–2013, and later ones without it): template "legacy".

Local 附表 (指标名称 | 计量单位 | 本年度 | 历年累计 …) are read from the year's column, never the
cumulative one (pipeline/templates/indicators.py), and the figures the prose gives (主动公开信息数,
收到申请数 by channel, the answers, 行政复议/行政诉讼, fees) are extracted where a sentence states
them plainly. Everything else stays missing: a figure that is ambiguous (分别…, 累计…, two
different values) is not taken. No rules: the figures of local tables and prose add up to nothing
the format fixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.grid import TableGrid
from pipeline.limits import NUMBER_MAX_DIGITS
from pipeline.matcher import MatchedCell, MatchResult
from pipeline.numbers import CellValue, nfkc
from pipeline.readers import Document
from pipeline.report import KIND_NUMBER
from pipeline.templates.era import Code, TemplateEra
from pipeline.templates.indicators import first_code, indicator_label, indicator_rows, store_row

LEGACY_SECTION = "legacy"

# Row labels of local tables (2008–2013 附表 such as 定西's and 莆田's, 平潭's 2009–2018 ones with
# 主动公开文件数, 受理依申请公开信息总数 (2017: 受理政府信息依申请公开总数), 正式受理…申请数,
# 办结 / 同意提供 / 拒绝提供 and 受理…行政复议数), matched from the start.
_LEGACY_ROWS: tuple[tuple[str, str], ...] = (
    ("active_items", r"^(本年度?)?主动公开(的)?(政府)?(信息|文件)(数|总数|条数)"),
    ("requests_in_person", r"^当面申请"),
    ("requests_fax", r"^传真申请"),
    ("requests_email", r"^(电子)?邮件申请"),
    ("requests_online", r"^(网上|网络|互联网|在线)申请"),
    ("requests_letter", r"^(信函|邮寄|信件)申请"),
    ("requests_other", r"^其[他它](形式|方式)?申请"),
    (
        "requests_received",
        r"^(正式)?(收到|受理)?(政府信息公开|依申请公开)?申请(总数|数|件数|总件数)$"
        r"|^受理(政府信息)?依申请公开(信息)?(总数|数)$",
    ),
    ("answers_partially_disclosed", r"^(同意)?部分公开"),
    ("answers_refused", r"^(不同意|否决|不予)公开|^拒绝提供"),
    ("answers_disclosed", r"^同意公开|^同意提供"),
    ("answers_total", r"^(对申请的)?答复(总)?数|^申请答复(总)?数|^办结(总)?(数|件数)?$"),
    ("answers_not_gov_info", r"^(非|不是).*政府信息"),
    ("answers_not_exist", r"^信息不存在|^申请信息不存在"),
    ("answers_not_held", r"^非本(部门|机关|单位)掌握|^不属于本(部门|机关|单位)"),
    ("answers_unclear", r"^申请内容不明确|^信息描述不清"),
    ("fees", r"^(依申请公开)?收(取)?(的)?费(用)?"),
    ("reviews", r"^(受理|收到)?(政府信息公开(工作)?)?行政复议"),
    ("litigation", r"^(受理|收到)?(政府信息公开(工作)?)?行政诉讼"),
    ("appeals", r"^(行政)?申诉"),
    ("consultations", r"^(政府信息(公开)?)?咨询(总)?数"),
)


def match_local_tables(grids: list[TableGrid]) -> MatchResult:
    """Cells of local pre-2014 附表 (their year column, never a cumulative one)."""
    result = MatchResult()
    for row in indicator_rows(grids, result.warnings):
        code = first_code(_LEGACY_ROWS, indicator_label(row.label))
        if code is not None:
            store_row(result, (LEGACY_SECTION, code, "value"), row)
    return result


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
    flat = nfkc(text)
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
            if sum(ch.isdigit() for ch in number) > NUMBER_MAX_DIGITS:
                continue  # a run of thousands of digits is no figure (float() would make it inf)
            value = float(number.replace(",", "")) if number[0].isdigit() else chinese_number(number)
            if value is not None:
                yield code, value, match.group("unit")
        elif code in _ZERO_OK and not has_digit:
            none = re.search(rf"(?:{_NONE})[^,。;]{{0,20}}?(?:{phrase})", clause)
            if none:
                yield code, 0.0, "元" if code == "fees" else ""


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


class LegacyEra(TemplateEra):
    name = "legacy"
    description = Code(
        "legacy",
        "no national table: local 附表 and figures in the prose",
        "无全国统一表格：地方附表与正文数字",
    )
    sections = (
        Code(LEGACY_SECTION, "figures of a report without a national table", "无全国统一表格的报告数字"),
    )
    # Local pre-2014 附表: their column heads.
    evidence_labels = ("指标名称", "计量单位", "本期实际", "本年累计", "历年累计")
    min_cells = 1  # nothing found: the document has no table of any known template

    def match(self, document: Document) -> MatchResult:
        return match_legacy(document)

    def match_grids(self, grids: list[TableGrid]) -> MatchResult:
        return match_local_tables(grids)

    def template_evidence(self, detected: list[str], matched: MatchResult) -> list[str]:
        """The labels the figures were read under (prose for figures of the text)."""
        return sorted({c.raw_label for c in matched.cells.values()})[:12]


ERA = LegacyEra()
