"""The 2014–2018 national statistics table (template "2014"): generated reports in HTML, DOCX and
PDF, local variants with part-of-region columns, units read from the 单位 column, the implied sums.

The table is laid out as the national form (domain-notes §3.2): 统计指标 | 单位 | 统计数, block
heading rows with "—", sub-item rows whose labels repeat between blocks (维持/纠错/其他情形).
"""

from __future__ import annotations

import html
import io

import docx
import pytest
from test_formats_corpus import convert_cache, to_pdf  # noqa: F401 (a fixture)

from pipeline.codebook import load_codebook
from pipeline.parse import parse_report
from pipeline.render.stats2014 import stats_truth, table_rows
from pipeline.report import KIND_MISSING, STATUS_OK, Report
from pipeline.templates.era2014 import ERA as ERA_2014
from pipeline.templates.era2014 import STATS_SECTION


def report_html(values: dict[str, float], *, parts: bool = False, total: bool = True) -> bytes:
    """A 2016 report with the table as 附表; `parts` adds 区政府/区直单位/乡镇街道 columns."""
    heads = ["序号", "统计指标", "单位"] + (["统计数"] if total else [])
    heads += ["区政府统计数", "区直单位统计数", "乡镇街道统计数"] if parts else []
    body = []
    for n, (label, unit, value) in enumerate(table_rows(values), start=1):
        cells = [str(n), label, unit] + ([value] if total else []) + (["7", "8", "9"] if parts else [])
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"
    page = (
        "<html><head><meta charset='utf-8'><title>临江市人民政府2016年政府信息公开工作年度报告</title></head>"
        "<body><h1>临江市人民政府2016年政府信息公开工作年度报告</h1>"
        "<p>本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止。</p>"
        "<p>附表：政府信息公开情况统计表</p>"
        f"<table border='1'>{head}{''.join(body)}</table></body></html>"
    )
    return page.encode("utf-8")


def report_docx(values: dict[str, float]) -> bytes:
    document = docx.Document()
    document.add_paragraph("临江市人民政府2016年政府信息公开工作年度报告")
    document.add_paragraph("本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止。")
    rows = table_rows(values)
    table = document.add_table(rows=len(rows) + 1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("统计指标", "单位", "统计数"), strict=True):
        cell.text = text
    for row, texts in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def assert_all_cells(report: Report, values: dict[str, float]) -> None:
    assert report.template == "2014", report.warnings
    facts = {f.item: f for f in report.facts}
    assert len(facts) == len(load_codebook("2014").cells)
    wrong = {
        item: (facts[item].value, v) for item, v in values.items() if facts[item].value != pytest.approx(v)
    }
    assert not wrong


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_every_cell_of_the_national_table_from_html(seed: int) -> None:
    values = stats_truth(seed)
    report = parse_report(report_html(values), "stats.html")
    assert_all_cells(report, values)
    assert report.status == STATUS_OK
    assert report.year == 2016
    assert "统计指标" in report.template_evidence
    assert {c.rule for c in report.checks} == {r.code for r in ERA_2014.rules}
    assert all(c.ok for c in report.checks)


def test_shared_outcome_labels_are_resolved_by_their_block() -> None:
    values = stats_truth(3)
    values |= {"review_upheld": 1, "review_corrected": 2, "review_other": 3, "review_total": 6}
    values |= {
        "litigation_upheld": 4,
        "litigation_corrected": 5,
        "litigation_other": 6,
        "litigation_total": 15,
    }
    report = parse_report(report_html(values), "stats.html")
    facts = {f.item: f.value for f in report.facts}
    assert [facts[f"review_{k}"] for k in ("upheld", "corrected", "other")] == [1, 2, 3]
    assert [facts[f"litigation_{k}"] for k in ("upheld", "corrected", "other")] == [4, 5, 6]


def test_part_of_region_columns_are_never_read_as_the_total() -> None:
    values = stats_truth(4)
    report = parse_report(report_html(values, parts=True), "stats.html")
    assert_all_cells(report, values)
    assert any("区政府统计数" in w for w in report.warnings)


def test_without_a_total_column_the_parts_are_not_summed() -> None:
    report = parse_report(report_html(stats_truth(5), parts=True, total=False), "stats.html")
    assert report.template != "2014" or all(f.kind == KIND_MISSING for f in report.facts)
    assert any("no_value_column" in w for w in report.warnings)


def test_money_in_yuan_is_converted_to_10k_yuan() -> None:
    values = stats_truth(6)
    page = report_html(values).decode("utf-8")
    fee_row = f"<td>七、依申请公开信息收取的费用</td><td>万元</td><td>{values['fees']:.2f}</td>"
    assert fee_row in page
    page = page.replace(fee_row, "<td>七、依申请公开信息收取的费用</td><td>元</td><td>3500</td>")
    report = parse_report(page.encode("utf-8"), "stats.html")
    assert report.fact(STATS_SECTION, "fees", "value").value == pytest.approx(0.35)


def test_a_failed_sum_is_reported_not_repaired() -> None:
    values = stats_truth(7)
    values["requests_received"] += 1
    report = parse_report(report_html(values), "stats.html")
    assert report.fact(STATS_SECTION, "requests_received", "value").value == values["requests_received"]
    assert "stats2014_requests_channels" in report.checks_failed


def test_rows_the_codebook_lacks_are_reported() -> None:
    page = report_html(stats_truth(8)).decode("utf-8")
    extra = "<tr><td>99</td><td>主动公开机构领导、机构设置及人事信息</td><td>条</td><td>12</td></tr></table>"
    report = parse_report(page.replace("</table>", extra).encode("utf-8"), "stats.html")
    assert any("row_not_mapped" in w and "机构领导" in w for w in report.warnings)


def test_national_table_from_docx_and_pdf(convert_cache: None) -> None:  # noqa: F811
    values = stats_truth(9)
    document = report_docx(values)
    for data, name in ((document, "stats.docx"), (to_pdf(document), "stats.pdf")):
        report = parse_report(data, name)
        assert_all_cells(report, values)
        assert report.year == 2016


def test_a_table_with_a_few_national_labels_is_read_as_a_legacy_table() -> None:
    page = (
        "<html><head><title>某局2015年政府信息公开工作年度报告</title></head><body><table>"
        "<tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>"
        "<tr><td>收到申请数</td><td>件</td><td>3</td></tr></table></body></html>"
    )
    report = parse_report(page.encode("utf-8"), "x.html")
    assert report.template == "legacy"
    assert any("template_unmatched" in w for w in report.warnings)
    assert report.fact("legacy", "requests_received", "value").value == 3


def test_the_generator_sums_are_the_eras_rules() -> None:
    """The generator states the 统计表's sums on its own (ground truth independent of the parser);
    this ties the two statements so that neither drifts."""
    from pipeline.render.stats2014 import SUMS
    from pipeline.templates.era2014 import _SUMS_2014

    assert {total: parts for _, total, parts in _SUMS_2014} == SUMS
