"""Reports without a national table (2008–2013, and later ones without the 统计表): figures the
prose states plainly, local 附表 read from the year's column, and nothing guessed.

Sentences follow real reports quoted in domain-notes §3 (南平 2012, 泰州 2017, the 2017 report
"本局2017年共受理信息公开申请10件，其中当面申请1宗…“同意公开”的7件"); tables follow 莆田's
2009 附表 (指标名称 | 计量单位 | 2009年度 | 历年累计) and 定西's 报表 (… | 本期实际 | 本年累计).
"""

from __future__ import annotations

import pytest

from pipeline.metadata import find_year
from pipeline.parse import parse_report
from pipeline.report import KIND_MISSING, STATUS_PARTIAL, Report
from pipeline.templates.legacy import LEGACY_SECTION, chinese_number, prose_figures


def figures(text: str) -> dict[str, float]:
    found, _warnings = prose_figures(text)
    return {code: value for code, (value, _unit, _clause) in found.items()}


def test_requests_by_channel_and_answers() -> None:
    text = (
        "本局2017年共受理信息公开申请10件，其中当面申请1宗，网上申请8件，信函申请1件。"
        "已答复的申请中，“同意公开”的7件，“同意部分公开”的1件，“不予公开”的2件。"
    )
    assert figures(text) == {
        "requests_received": 10,
        "requests_in_person": 1,
        "requests_online": 8,
        "requests_letter": 1,
        "answers_disclosed": 7,
        "answers_partially_disclosed": 1,
        "answers_refused": 2,
    }


def test_active_disclosure_with_thousands_separator_and_chinese_numerals() -> None:
    assert figures("2012年全市共主动公开政府信息12,345条。")["active_items"] == 12345
    assert figures("全年收到政府信息公开申请十二件。")["requests_received"] == 12
    assert chinese_number("一百零五") == 105
    assert chinese_number("两") == 2


def test_statements_of_none_are_zero() -> None:
    text = (
        "全年未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"
        "本机关依申请提供政府信息，未收取任何费用。本年度未收到政府信息公开申请。"
    )
    assert figures(text) == {"reviews": 0, "litigation": 0, "fees": 0, "requests_received": 0}


def test_fees_in_yuan() -> None:
    found, _ = prose_figures("依申请公开共收取检索费、复制费等350元。")
    assert found["fees"][:2] == (350, "元")


@pytest.mark.parametrize(
    "text",
    [
        "自2008年以来，累计主动公开政府信息5000条。",  # cumulative, not the year's
        "当面申请和网上申请分别为3件和10件。",  # which number is which?
        "主动公开信息数同比增长20%，比上年增加200条。",  # changes, not levels
    ],
)
def test_ambiguous_figures_are_not_taken(text: str) -> None:
    assert figures(text) == {}


def test_a_figure_stated_twice_with_different_values_is_left_missing() -> None:
    found, warnings = prose_figures("全年主动公开政府信息1200条。……全年主动公开政府信息1300条。")
    assert "active_items" not in found
    assert any("legacy_conflict" in w for w in warnings)


LOCAL_TABLE = """
<html><head><meta charset="utf-8"><title>莆田市2009年政府信息公开工作年度报告</title></head><body>
<p>本报告中所列数据的统计期限为200911日至20091231日。</p>
<p>2009年，我市共主动公开政府信息1200条，全年未发生因政府信息公开申请行政复议的情况。</p>
<p>附表：政府信息公开情况统计表</p>
<table border="1">
<tr><td>指标名称</td><td>计量单位</td><td>2009年度</td><td>历年累计</td></tr>
<tr><td>主动公开信息数</td><td>条</td><td>1200</td><td>3400</td></tr>
<tr><td>其中：全文电子化的主动公开信息数</td><td>条</td><td>1100</td><td>3000</td></tr>
<tr><td>申请总数</td><td>件</td><td>15</td><td>40</td></tr>
<tr><td>其中：1.当面申请数</td><td>件</td><td>3</td><td>10</td></tr>
<tr><td>2.网上申请数</td><td>件</td><td>12</td><td>30</td></tr>
<tr><td>同意公开答复数</td><td>件</td><td>10</td><td>30</td></tr>
<tr><td>“信息不存在”数</td><td>件</td><td>2</td><td>4</td></tr>
<tr><td>行政诉讼数</td><td>件</td><td>0</td><td>1</td></tr>
</table></body></html>
"""


def test_local_table_year_column_never_the_cumulative_one() -> None:
    report = parse_report(LOCAL_TABLE.encode("utf-8"), "putian.html")
    assert report.template == "legacy"
    assert report.year == 2009
    values = {f.item: f.value for f in report.facts if f.kind != KIND_MISSING}
    assert values == {
        "active_items": 1200,
        "requests_received": 15,
        "requests_in_person": 3,
        "requests_online": 12,
        "answers_disclosed": 10,
        "answers_not_exist": 2,
        "litigation": 0,
        "reviews": 0,  # from the prose
    }
    assert any("历年累计" in w for w in report.warnings)
    assert report.status == STATUS_PARTIAL
    assert all(f.method == "text" for f in report.facts)
    assert report.fact(LEGACY_SECTION, "fees", "value").kind == KIND_MISSING  # never guessed


def _with_head(page: str, head: str, new_head: str, name: str) -> Report:
    """Parse ``page`` with its value-column head row ``head`` replaced by ``new_head``."""
    assert head in page
    return parse_report(page.replace(head, new_head).encode("utf-8"), name)


def test_dingxi_form_reads_the_period_not_the_year_to_date() -> None:
    report = _with_head(
        LOCAL_TABLE,
        "<tr><td>指标名称</td><td>计量单位</td><td>2009年度</td><td>历年累计</td></tr>",
        "<tr><td>指标名称</td><td>计量单位</td><td>本期实际</td><td>本年累计</td></tr>",
        "dingxi.html",
    )
    assert report.fact(LEGACY_SECTION, "requests_received", "value").value == 15


def test_prose_only_report() -> None:
    text = (
        "南平市2012年政府信息公开工作年度报告\n"
        "本报告中所列数据的统计时限自2012年1月1日至2012年12月31日。\n"
        "一、概述\n2012年，全市共主动公开政府信息23456条。\n"
        "三、依申请公开政府信息情况\n全年共受理政府信息公开申请58件，其中当面申请20件，网上申请30件，信函申请8件。"
        "“同意公开”的50件，“同意部分公开”的3件，“不同意公开”的5件。\n"
        "四、政府信息公开的收费及减免情况\n全年未收取任何费用。\n"
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况\n全年发生行政复议2件，行政诉讼1件。\n"
    )
    report = parse_report(text.encode("utf-8"), "nanping.txt")
    assert report.template == "legacy"
    assert (report.year, report.agency) == (2012, "南平市")
    values = {f.item: f.value for f in report.facts if f.kind != KIND_MISSING}
    assert values["active_items"] == 23456
    assert values["answers_refused"] == 5
    assert (values["reviews"], values["litigation"], values["fees"]) == (2, 1, 0)
    assert "prose" in report.template_evidence


def test_a_report_with_no_figures_has_no_template() -> None:
    text = "某局2010年政府信息公开工作年度报告\n我局高度重视政府信息公开工作。"
    report = parse_report(text.encode("utf-8"), "x.txt")
    assert report.template is None
    assert any(w.startswith("no_tables") for w in report.warnings)


@pytest.mark.parametrize(
    ("title", "text", "year"),
    [
        (None, "本报告统计期限为201711日至20171231日。", 2017),  # 年/月 lost (suqian.gov.cn)
        (None, "数据统计期限自20231月1日至12月31日", 2023),
        (None, "本报告中所列数据的统计时限自2012年1月1日", 2012),
        (None, "本报告统计数据从2016年1月1日至2016年12月31日止", 2016),
        (None, "统计期限自 2020 年 1 月 1 日至 2020 年 12 月 31 日", 2020),  # Word's spaces
        ("前进区2017政府信息公开工作年度报告", "", 2017),  # 年 lost in the title
        ("于洪区教育局2023年政府信息公开工作年度报告", "2022年，于洪区教育局坚持……", 2023),  # wrong body year
    ],
)
def test_year_detection_tolerates_lost_characters(title: str | None, text: str, year: int) -> None:
    assert find_year(title, text)[0] == year


# 平潭's local 附表 labels (2009–2018 reports in tests/real/): the same rows under other names.
PINGTAN_TABLE = """
<html><head><meta charset="utf-8"><title>平潭县财政局2013年度政府信息公开工作年度报告</title></head><body>
<p>本报告所列数据的统计期限自2013年1月1日起至2013年12月31日。</p>
<p>七、需要说明的事项与附表</p>
<table border="1">
<tr><td>指 标 名 称</td><td>单位</td><td>数量</td></tr>
<tr><td>主动公开文件数</td><td>条</td><td>26</td></tr>
<tr><td>受理依申请公开信息总数</td><td>件</td><td>9</td></tr>
<tr><td>其中：1．在办</td><td>件</td><td>1</td></tr>
<tr><td>2．办结</td><td>件</td><td>8</td></tr>
<tr><td>其中：1．同意提供</td><td>件</td><td>5</td></tr>
<tr><td>2．拒绝提供</td><td>件</td><td>3</td></tr>
<tr><td>其中：1．信息不存在</td><td>件</td><td>2</td></tr>
<tr><td>3．信息描述不清</td><td>件</td><td>1</td></tr>
<tr><td>政府信息公开查询点数</td><td>件</td><td>4</td></tr>
<tr><td>政府信息咨询数</td><td>件</td><td>12</td></tr>
<tr><td>受理政府信息公开工作行政复议数</td><td>件</td><td>1</td></tr>
<tr><td>收到政府信息公开工作行政诉讼数</td><td>件</td><td>0</td></tr>
</table></body></html>
"""


def test_pingtan_table_labels_land_in_their_rows() -> None:
    report = parse_report(PINGTAN_TABLE.encode("utf-8"), "pingtan.html")
    values = {f.item: f.value for f in report.facts if f.kind != KIND_MISSING}
    assert values == {
        "active_items": 26,
        "requests_received": 9,
        "answers_total": 8,
        "answers_disclosed": 5,
        "answers_refused": 3,
        "answers_not_exist": 2,
        "answers_unclear": 1,
        "consultations": 12,
        "reviews": 1,
        "litigation": 0,
    }  # 在办 and 查询点数 have no legacy code


@pytest.mark.parametrize(
    "label",
    [
        "正式受理政府信息公开申请数",
        "受理依申请公开信息总数",
        "受理政府信息依申请公开总数",
        "申请总数",
        "收到政府信息公开申请数",
    ],
)
def test_request_total_labels(label: str) -> None:
    page = PINGTAN_TABLE.replace("受理依申请公开信息总数", label)
    report = parse_report(page.encode("utf-8"), "pingtan.html")
    assert report.fact(LEGACY_SECTION, "requests_received", "value").value == 9


def test_year_end_column_is_the_years_figure() -> None:
    """平潭's 2009–2016 附表 head the value column 年末统计 (the year's own figure)."""
    report = _with_head(
        PINGTAN_TABLE,
        "<tr><td>指 标 名 称</td><td>单位</td><td>数量</td></tr>",
        "<tr><td>指标名称</td><td>计量单位</td><td>年末统计</td></tr>",
        "pingtan.html",
    )
    assert report.fact(LEGACY_SECTION, "active_items", "value").value == 26
    assert report.fact(LEGACY_SECTION, "answers_total", "value").value == 8
    assert not any(w.startswith("no_value_column") for w in report.warnings)
