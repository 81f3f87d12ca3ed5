"""Hand-built documents for quirks seen on real sites that the generator does not produce.

Each case is small markup written from a real page's structure (domain-notes §6, item numbers
in the test names), parsed through the same `parse_report` as everything else.
"""

from __future__ import annotations

import io
import zipfile

from pipeline.codebook import APPLICANT_COLUMNS, load_codebook
from pipeline.parse import parse_report
from pipeline.report import Fact, Report

REQUEST_ROWS = [
    ("一、本年新收政府信息公开申请数量", "new_requests"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("（一）予以公开", "disclosed"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_disclosed"),
    ("1.属于国家秘密", "withheld_state_secret"),
    ("2.其他法律行政法规禁止公开", "withheld_prohibited_by_law"),
    ("3.危及“三安全一稳定”", "withheld_security_stability"),
    ("4.保护第三方合法权益", "withheld_third_party"),
    ("5.属于三类内部事务信息", "withheld_internal_affairs"),
    ("6.属于四类过程性信息", "withheld_process_info"),
    ("7.属于行政执法案卷", "withheld_enforcement_files"),
    ("8.属于行政查询事项", "withheld_inquiry_matter"),
    ("1.本机关不掌握相关政府信息", "unavailable_not_held"),
    ("2.没有现成信息需要另行制作", "unavailable_needs_creation"),
    ("3.补正后申请内容仍不明确", "unavailable_unclear"),
    ("1.信访举报投诉类申请", "not_processed_petition"),
    ("2.重复申请", "not_processed_duplicate"),
    ("3.要求提供公开出版物", "not_processed_publication"),
    ("4.无正当理由大量反复申请", "not_processed_excessive"),
    ("5.要求行政机关确认或重新出具已获取信息", "not_processed_confirmation"),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_unpaid_fee"),
    ("3.其他", "other_other"),
    ("（七）总计", "results_total"),
    ("四、结转下年度继续办理", "carried_forward"),
]


def request_values() -> dict[str, list[int]]:
    """A consistent table 三: 5 natural-person and 2 commercial requests, 1 carried over."""
    rows = {item: [0] * 6 for _, item in REQUEST_ROWS}
    rows["new_requests"][:2] = [5, 2]
    rows["carried_over"][0] = 1
    rows["disclosed"][:2] = [3, 1]
    rows["unavailable_not_held"][0] = 2
    rows["other_other"][1] = 1
    rows["results_total"][:2] = [5, 2]
    rows["carried_forward"][0] = 1
    return {item: [*cells, sum(cells)] for item, cells in rows.items()}


def page(body: str, title: str = "前进区人民政府2024年政府信息公开工作年度报告") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>本报告中所列数据的统计期限自2024年1月1日至12月31日止。</p>{body}</body></html>"
    ).encode()


def table(rows: list[list[str]]) -> str:
    """Rows of cells; a cell 'text|rs|cs' carries spans."""

    def cell(text: str) -> str:
        parts = text.split("|")
        attrs = ""
        if len(parts) == 3:
            attrs = f" rowspan={parts[1]} colspan={parts[2]}"
        return f"<td{attrs}>{parts[0]}</td>"

    return "<table>" + "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows) + "</table>"


def requests_facts(report: Report) -> dict[tuple[str, str], Fact]:
    return {f.key[1:]: f for f in report.facts if f.section == "requests"}


def assert_requests(report: Report, values: dict[str, list[int]]) -> None:
    facts = requests_facts(report)
    for item, cells in values.items():
        for column, value in zip((*APPLICANT_COLUMNS, "total"), cells, strict=True):
            assert facts[(item, column)].value == value, (item, column, facts[(item, column)].raw)


def test_header_split_over_rows_differently_quirk3() -> None:
    """商业 | 科研 … on one row, 企业 | 机构 on the next (xuwen.gov.cn)."""
    values = request_values()
    rows = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）|4|3", "申请人情况|1|7"],
        ["自然人|3|1", "法人或其他组织|1|5", "总计|3|1"],
        ["商业", "科研", "社会公益组织|2|1", "法律服务机构|2|1", "其他|2|1"],
        ["企业", "机构"],
    ]
    rows += [[f"{label}|1|3", *map(str, values[item])] for label, item in REQUEST_ROWS]
    report = parse_report(page(table(rows)))
    assert_requests(report, values)


def test_legal_person_subtotal_column_and_subtotal_rows_are_skipped_quirk18() -> None:
    values = request_values()
    body = []
    for label, item in REQUEST_ROWS:
        cells = values[item]
        body.append([f"{label}|1|2", *map(str, cells[:6]), str(sum(cells[1:6])), str(cells[6])])
        if item == "withheld_inquiry_matter":
            body.append(["（三）不予公开 小计|1|2", *["0"] * 8])
    rows = [
        ["申请人情况|2|2", "自然人|2|1", "法人或其他组织|1|6", "总计|2|1"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "法人小计"],
        *body,
    ]
    report = parse_report(page(table(rows)))
    assert_requests(report, values)
    assert not report.checks_failed


def test_table_without_header_rows_reads_template_order() -> None:
    values = request_values()
    rows = [[f"{label}", *map(str, values[item])] for label, item in REQUEST_ROWS]
    report = parse_report(page(table(rows)))
    assert_requests(report, values)


def test_table_lost_its_markup_text_fallback() -> None:
    """Cells published as paragraphs, one per line (a CMS that flattened the Word table)."""
    values = request_values()
    lines = [
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    for label, item in REQUEST_ROWS:
        lines += [label, *map(str, values[item])]
    report = parse_report(page("".join(f"<p>{line}</p>" for line in lines)))
    assert_requests(report, values)


def test_blank_table_is_not_reported_and_never_zero_quirk6() -> None:
    rows = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）|3|3", "申请人情况|1|7"],
        ["自然人|2|1", "法人或其他组织|1|5", "总计|2|1"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    rows += [[f"{label}|1|3", *["&nbsp;"] * 7] for label, _ in REQUEST_ROWS]
    report = parse_report(page(table(rows)))
    facts = requests_facts(report)
    assert all(f.kind == "empty" and f.value is None and f.imputed_value is None for f in facts.values())
    assert "table_not_reported: requests was published blank" in report.warnings
    assert report.status == "partial"


def test_active_disclosure_header_variants_units_and_slashes_quirks_7_8_10() -> None:
    rows = [
        ["第二十条  第(一)项|1|4"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数 (历史累计)"],
        ["规章", "/", "/", "/"],
        ["行政规范性文件", "３", "1", "1,204"],
        ["第二十条第（五）项|1|4"],
        ["信息内容", "本年处理决定数量|1|3"],
        ["行政许可", "2 345|1|3"],
        ["第二十条第（八）项|1|4"],
        ["信息内容", "本年收费金额（单位：万元）|1|3"],
        ["行政事业性收费", "25000元|1|3"],
    ]
    report = parse_report(page(table(rows)))
    facts = {f.key[1:]: f for f in report.facts if f.section == "active_disclosure"}
    assert [facts[("rules", c)].kind for c in ("issued", "repealed", "in_force")] == ["not_applicable"] * 3
    assert facts[("rules", "issued")].value is None
    assert facts[("normative_documents", "issued")].value == 3
    assert facts[("normative_documents", "in_force")].value == 1204
    assert facts[("administrative_licensing", "decisions")].value == 2345
    assert facts[("administrative_fees", "amount")].value == 2.5
    assert any(w.startswith("unit_converted") for w in report.warnings)


def test_place_only_title_is_completed_from_the_body() -> None:
    body = "<p>2022年，临江区人民政府认真贯彻落实《条例》。</p><p>临江区人民政府办公室</p>"
    report = parse_report(page(body, title="关于临江区2022年度政府信息公开工作的年度报告"))
    assert report.year == 2022
    assert report.agency == "临江区人民政府"


def test_wrong_year_in_body_does_not_override_the_title_quirk22() -> None:
    body = "<p>2022年，于洪区教育局坚持……</p>"
    report = parse_report(page(body, title="于洪区教育局2023年政府信息公开工作年度报告"))
    assert report.year == 2023
    assert report.agency == "于洪区教育局"


def test_template_from_labels_not_from_the_cited_notice_quirk13() -> None:
    """A 2023 report citing the 2021 notice but using the 2019 table (saintpaulhem mirror)."""
    rows = [
        ["第二十条第（一）项|1|4"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "0", "0", "3"],
        ["规范性文件", "2", "2", "41"],
    ]
    body = "<p>根据国办公开办函〔2021〕30号要求……</p>" + table(rows)
    report = parse_report(page(body, title="某县人民政府2023年政府信息公开工作年度报告"))
    assert report.template == "2019"
    assert "本年新制作数量" in report.template_evidence
    assert len(report.facts) == len(load_codebook("2019").cells)
    assert report.fact("active_disclosure", "normative_documents", "total_published").value == 41


def test_broken_and_empty_files_fail_clearly() -> None:
    cases = {
        "empty.docx": b"",
        "garbage.bin": bytes(range(256)) * 8,
        "truncated.docx": _docx_bytes()[:900],
        "not-a-docx.zip": _zip_bytes(),
    }
    for name, data in cases.items():
        report = parse_report(data, filename=name)
        assert report.status == "failed", name
        assert report.error, name
        assert report.facts == []


def _docx_bytes() -> bytes:
    import random

    from pipeline.render import random_ground_truth, render_docx

    return render_docx(random_ground_truth(random.Random(1)))


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def test_breadcrumb_above_the_title_and_chinese_numeral_year() -> None:
    body = (
        "<div>首页 &gt; 政务公开</div><div>政府信息公开年报</div>"
        "<h2>某某区人民政府二〇二四年政府信息公开工作年度报告</h2>"
    )
    head = "<meta charset='utf-8'><title>政府信息公开年报</title>"
    data = f"<html><head>{head}</head><body>{body}</body></html>"
    report = parse_report(data.encode())
    assert report.title == "某某区人民政府二〇二四年政府信息公开工作年度报告"
    assert report.year == 2024
    assert report.agency == "某某区人民政府"
