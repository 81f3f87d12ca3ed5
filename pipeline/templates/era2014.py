"""The 2014–2018 national statistics table (《政府信息公开情况统计表》, 国办发〔2014〕32号).

Many 2014–2018 reports attach it: rows 统计指标 | 单位 | 统计数. Rows are matched by their 统计指标
label (in the context of their block, for the 维持/纠错/其他情形 rows that 复议 and 诉讼 share),
the unit is read from the 单位 column and the value from the 统计数 column only: local variants'
区政府/区直单位/乡镇街道 columns are never read as 统计数 (pipeline/templates/indicators.py).
A document with too few of its rows is read as a legacy report instead.
"""

from __future__ import annotations

from pipeline.checks import SumGroup, run_complete_sums
from pipeline.grid import TableGrid
from pipeline.matcher import Key, MatchResult
from pipeline.numbers import read_cell
from pipeline.report import KIND_NUMBER, Check, Fact
from pipeline.templates.era import Code, TemplateEra
from pipeline.templates.indicators import first_code, indicator_label, indicator_rows, store_row

STATS_SECTION = "statistics_2014"

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


def match_statistics(grids: list[TableGrid]) -> MatchResult:
    """Cells of the national 2014–2018 statistics table."""
    result = MatchResult()
    block = ""
    for row in indicator_rows(grids, result.warnings):
        if not row.value.strip() and row.unit in _HEADING_UNITS:
            continue  # a block heading ("九、政府信息公开会议和培训情况 | —")
        key = indicator_label(row.label)
        code = first_code(_STATS_ROWS, key)
        if code in _OUTCOME_BLOCKS:
            block = _OUTCOME_BLOCKS[code]
        elif code is None and block and (outcome := first_code(_OUTCOME_ROWS, key)):
            code = f"{block}_{outcome}"
        if code is None:
            if read_cell(row.value).kind == KIND_NUMBER:
                result.warnings.append(f"row_not_mapped: {row.label.strip()!r} = {row.value.strip()}")
            continue
        store_row(result, (STATS_SECTION, code, "value"), row)
    return result


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


class Era2014(TemplateEra):
    name = "2014"
    description = Code(
        "2014", "2014–2018 national statistics table (国办发〔2014〕32号)", "2014–2018 年统计表"
    )
    sections = (Code(STATS_SECTION, "the 2014–2018 statistics table", "2014–2018 年政府信息公开情况统计表"),)
    rules = tuple(
        Code(rule, "2014 statistics table: a total = the sum of its parts", "2014 年统计表：合计=分项之和")
        for rule, _, _ in _SUMS_2014
    )
    evidence_labels = ("统计指标", "主动公开政府信息数", "收到申请数", "申请答复数", "举报投诉数量")
    # Fewer matched rows than this and a table is not taken for the national one (a local table
    # that shares a label or two with it is read as a legacy table instead).
    min_cells = 8
    fallback = "legacy"

    def match_grids(self, grids: list[TableGrid]) -> MatchResult:
        return match_statistics(grids)

    def sum_groups(self) -> list[SumGroup]:
        return [
            SumGroup(
                rule,
                f"item:{total}",
                (STATS_SECTION, total, "value"),
                [(STATS_SECTION, item, "value") for item in parts],
            )
            for rule, total, parts in _SUMS_2014
        ]

    def check(self, facts: dict[Key, Fact]) -> list[Check]:
        """The implied sums of the table, on the rows whose every cell holds a number."""
        return run_complete_sums(facts, self.sum_groups())


ERA = Era2014()
