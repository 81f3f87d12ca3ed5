"""The ground-truth generator and its renderers.

Rules are re-checked here with their own arithmetic (not through `rule_failures`), and the
rendered containers are reopened with the libraries a consumer would use.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import docx
import openpyxl
import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from openpyxl.worksheet.worksheet import Worksheet
from strategies import ground_truths, render_seeds

from pipeline.codebook import (
    APPLICANT_COLUMNS,
    LEGAL_PERSON_COLUMNS,
    REQUEST_COLUMNS,
    REVIEW_ITEMS,
    REVIEW_PARTS,
    load_codebook,
)
from pipeline.render import (
    ENCODINGS,
    NOT_REPORT_KINDS,
    RULES,
    STYLES,
    GroundTruth,
    build_tables,
    random_ground_truth,
    render_docx,
    render_html,
    render_not_report,
    render_text,
    render_xlsx,
    result_items,
    rule_failures,
)

TEMPLATES = ("2021", "2019")


def _failing_rules(template: str, values: dict) -> set[str]:
    """The four rules of domain-notes §1.5, computed independently of the generator."""

    def v(section: str, item: str, col: str) -> float:
        return values[(section, item, col)] or 0

    results = result_items(template)
    rows = load_codebook(template).items("requests")
    failing = set()
    for col in REQUEST_COLUMNS:
        left = v("requests", "new_requests", col) + v("requests", "carried_over", col)
        if left != v("requests", "results_total", col) + v("requests", "carried_forward", col):
            failing.add("requests_balance")
        if v("requests", "results_total", col) != sum(v("requests", r, col) for r in results):
            failing.add("requests_results_total")
    for row in rows:
        if v("requests", row, "total") != sum(v("requests", row, c) for c in APPLICANT_COLUMNS):
            failing.add("requests_applicant_total")
    for item in REVIEW_ITEMS:
        parts = sum(v("review_litigation", item, p) for p in REVIEW_PARTS)
        if v("review_litigation", item, "total") != parts:
            failing.add("review_litigation_total")
    return failing


# --------------------------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_values_satisfy_the_rules_for_many_seeds(template: str) -> None:
    keys = set(load_codebook(template).keys)
    nonzero_requests = 0
    for seed in range(300):
        rng = random.Random(seed)
        gt = random_ground_truth(
            rng,
            template=template,
            blank_legal_person=seed % 2 == 0,
            not_applicable_rules=seed % 3 == 0,
            thousands_separators=seed % 5 == 0,
        )
        assert set(gt.values) == keys == set(gt.published)
        assert _failing_rules(template, gt.values) == set(), seed
        assert all(not fails for fails in rule_failures(template, gt.values).values())
        assert all(v is None or v >= 0 for k, v in gt.values.items() if k[2] != "items_change")
        nonzero_requests += (gt.values[("requests", "new_requests", "total")] or 0) > 0
    # Realistic: many agencies receive no request at all, many receive some.
    assert 50 < nonzero_requests < 280


def test_cell_counts() -> None:
    assert len(load_codebook("2021").keys) == 200
    for template, count in (("2021", 200), ("2019", 198)):
        gt = random_ground_truth(random.Random(1), template=template)
        assert sum(len(t.data_cells()) for t in build_tables(gt, wrap=True)) == count


def test_published_text_reads_back_as_the_value() -> None:
    for seed in range(100):
        gt = random_ground_truth(
            random.Random(seed),
            template=TEMPLATES[seed % 2],
            full_width_digits=seed % 3 == 0,
            thousands_separators=seed % 4 == 0,
        )
        for key, text in gt.published.items():
            assert gt.expected_kind(key) == "number", (key, text)
            assert gt.expected_value(key) == gt.values[key], (key, text)
            if seed % 3 == 0:
                assert not re.search(r"[0-9]", text.removesuffix("元")), text


def test_blank_legal_person_and_not_applicable_rules() -> None:
    for seed in range(40):
        gt = random_ground_truth(random.Random(seed), blank_legal_person=True, not_applicable_rules=True)
        for key, text in gt.published.items():
            section, item, col = key
            if section == "requests" and col in LEGAL_PERSON_COLUMNS and gt.values[key] == 0:
                assert text == "" and gt.expected_kind(key) == "empty" and gt.expected_value(key) is None
            elif item == "rules":
                assert text == "/" and gt.values[key] is None and gt.expected_kind(key) == "not_applicable"
            else:
                assert gt.expected_kind(key) == "number"
        assert _failing_rules("2021", gt.values) == set()


def test_fees_are_decimal_wan_yuan() -> None:
    fees = [
        random_ground_truth(random.Random(s)).published[
            ("active_disclosure", "administrative_fees", "amount")
        ]
        for s in range(200)
    ]
    assert any("." in f for f in fees) and "0" in fees
    assert all(re.fullmatch(r"\d+(\.\d{1,2})?", f) for f in fees)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("rule", RULES)
def test_break_rule_breaks_exactly_that_rule(template: str, rule: str) -> None:
    for seed in range(25):
        clean = random_ground_truth(random.Random(seed), template=template, blank_legal_person=True)
        gt = random_ground_truth(
            random.Random(seed), template=template, blank_legal_person=True, break_rule=rule
        )
        assert _failing_rules(template, gt.values) == {rule}
        assert gt.broken and gt.broken_rule == rule
        changed = {k for k in gt.values if gt.values[k] != clean.values[k]}
        assert changed == set(gt.broken)
        for key in gt.broken:
            assert gt.expected_value(key) == gt.values[key]


def test_agencies_and_titles_are_realistic() -> None:
    gts = [random_ground_truth(random.Random(s)) for s in range(300)]
    for gt in gts:
        assert str(gt.year) in gt.title and "政府信息公开" in gt.title
        assert gt.agency in gt.title or gt.title.startswith(f"关于{gt.place}")
        assert gt.agency_full.endswith(gt.agency[-2:])
        assert gt.published_date > f"{gt.year + 1}-01-01"
    kinds = {gt.agency_kind for gt in gts}
    assert {"gov", "gov_office", "dept", "ministry"} <= kinds
    assert any(gt.title.startswith("关于") and gt.agency not in gt.title for gt in gts)  # place-only title
    custom = random_ground_truth(
        random.Random(0), agency="前进区人民政府", agency_full="佳木斯市前进区人民政府", year=2024
    )
    assert (custom.agency, custom.agency_full, custom.year) == (
        "前进区人民政府",
        "佳木斯市前进区人民政府",
        2024,
    )


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def test_text_follows_the_seed_layout() -> None:
    gt = random_ground_truth(random.Random(5), year=2024)
    text = render_text(gt, rng=random.Random(1)).decode("utf-8")
    assert "本报告中所列数据的统计期限自2024年1月1日至12月31日止" in text.replace(" ", "")
    assert (
        "\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n\t申请人情况\n\n\t\n\t自然人"
        in text
    )
    assert "\t第二十条第（一）项\n\n\t信息内容\n\t本年制发件数" in text
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "六、其他需要报告的事项",
    ):
        assert f"\n{heading}" in text
    assert re.search(r"\n(四|4)、 ?政府信息公开行政复议、行政诉讼情况\n", text)


def test_text_shows_the_seed_quirks_over_many_renders() -> None:
    gt = random_ground_truth(random.Random(2))
    texts = [render_text(gt, rng=random.Random(s)).decode("utf-8") for s in range(30)]
    assert any("\n4、 政府信息公开" in t for t in texts)
    assert any("\t商业\n企业" in t for t in texts)
    assert any(re.search(r"\t\n\d", t) for t in texts)  # values split from their cell
    assert any("[bookmark: _GoBack]" in t for t in texts)
    assert any(re.search(r"\n\d\n$", t) for t in texts)  # trailing page number
    assert render_text(gt) == render_text(gt)  # deterministic without an rng


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def _declared(raw: bytes) -> str | None:
    m = re.search(rb"charset=[\"']?([\w-]+)", raw[:3000])
    return m[1].decode().lower() if m else None


def _decode(raw: bytes) -> str:
    declared = _declared(raw)
    assert declared is not None
    # Browsers read gb2312 and gbk as gb18030 (WHATWG encoding standard).
    return raw.decode({"gb2312": "gb18030", "gbk": "gb18030"}.get(declared, declared))


def _table_3(soup: BeautifulSoup) -> Tag:
    return next(t for t in soup.find_all("table") if "申请人情况" in t.get_text())


def _spans(td: Tag) -> tuple[int, int]:
    return int(str(td.get("rowspan", "1"))), int(str(td.get("colspan", "1")))


def test_canonical_table_3_has_the_official_structure() -> None:
    gt = random_ground_truth(random.Random(3), year=2023)
    soup = BeautifulSoup(_decode(render_html(gt)), "lxml")
    assert len(soup.find_all("table")) == 3
    rows = _table_3(soup).find_all("tr")
    assert len(rows) == 28
    header = [[(td.get_text(), _spans(td)) for td in tr.find_all("td")] for tr in rows[:3]]
    assert header[0] == [
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", (3, 3)),
        ("申请人情况", (1, 7)),
    ]
    assert header[1] == [("自然人", (2, 1)), ("法人或其他组织", (1, 5)), ("总计", (2, 1))]
    assert [t for t, _ in header[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    data = rows[3:]
    assert len(data) == 25
    items = load_codebook("2021").items("requests")
    for tr, item in zip(data, items, strict=True):
        values = [td.get_text() for td in tr.find_all("td")[-7:]]
        assert values == [gt.published[("requests", item, c)] for c in REQUEST_COLUMNS]
        assert all(re.fullmatch(r"\d+", v) for v in values)
    labels = {td.get_text(): _spans(td) for tr in data for td in tr.find_all("td")[:-7]}
    assert labels["一、本年新收政府信息公开申请数量"] == (1, 3)
    assert labels["三、本年度办理结果"] == (22, 1)
    assert labels["（一）予以公开"] == (1, 2)
    assert labels["（三）不予公开"] == (8, 1)
    assert labels["（四）无法提供"] == (3, 1)
    assert labels["（五）不予处理"] == (5, 1)
    assert labels["（六）其他处理"] == (3, 1)
    assert labels["（七）总计"] == (1, 2)
    assert labels["四、结转下年度继续办理"] == (1, 3)


def test_canonical_tables_2_and_4() -> None:
    gt = random_ground_truth(random.Random(4))
    tables = BeautifulSoup(render_html(gt).decode("utf-8"), "lxml").find_all("table")
    t2 = [[(td.get_text(), _spans(td)) for td in tr.find_all("td")] for tr in tables[0].find_all("tr")]
    assert t2[0] == [("第二十条第（一）项", (1, 4))]
    assert t2[6] == [
        ("行政许可", (1, 1)),
        (gt.published[("active_disclosure", "administrative_licensing", "decisions")], (1, 3)),
    ]
    assert t2[12][1] == ("本年收费金额（单位：万元）", (1, 3))
    t4 = tables[2].find_all("tr")
    assert [_spans(td) for td in t4[0].find_all("td")] == [(1, 5), (1, 10)]
    assert [_spans(td) for td in t4[1].find_all("td")] == [(2, 1)] * 5 + [(1, 5)] * 2
    assert len(t4[2].find_all("td")) == 10 and len(t4[3].find_all("td")) == 15


def test_2019_tables() -> None:
    gt = random_ground_truth(random.Random(8), template="2019")
    soup = BeautifulSoup(render_html(gt).decode("utf-8"), "lxml")
    tables = soup.find_all("table")
    assert sum(len(t.find_all("tr")) for t in tables) == 18 + 26 + 4
    rows = _table_3(soup).find_all("tr")[3:]
    assert len(rows) == 23
    labels = {td.get_text(): _spans(td) for tr in rows for td in tr.find_all("td")[:-7]}
    assert labels["三、本年度办理结果"] == (20, 1)
    assert labels["（六）其他处理"] == (1, 2)
    t2 = tables[0].get_text()
    for head in (
        "本年新制作数量",
        "上一年项目数量",
        "本年增/减",
        "其他对外管理服务事项",
        "第二十条第（九）项",
        "采购总金额",
    ):
        assert head in t2
    assert "2019〕60号" in soup.get_text()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_html_encodings(style: str, encoding: str) -> None:
    gt = random_ground_truth(random.Random(6), full_width_digits=True)
    raw = render_html(gt, style=style, encoding=encoding)
    if encoding == "gb2312-undeclared":
        assert _declared(raw) is None and b"charset" not in raw.lower()
        text = raw.decode("gbk")  # every character is in GBK
    else:
        assert _declared(raw) == encoding.removesuffix("-sig")
        text = _decode(raw)
    if encoding.startswith("gb"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        raw.decode("gbk")
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert gt.title in text.replace("<br>", "")


def test_word_style_is_word_html() -> None:
    gt = random_ground_truth(random.Random(9), blank_legal_person=True)
    raw = render_html(gt, style="word", rng=random.Random(3))
    assert _declared(raw) == "gb2312"
    page = _decode(raw)
    for marker in (
        "class=MsoNormalTable",
        "<p class=MsoNormal",
        "font-family:仿宋_GB2312",
        "<o:p></o:p>",
        '<font face="Times New Roman">',
        "&nbsp;",
        "mso-",
    ):
        assert marker in page
    assert re.search(r">申</span><span[^>]*>请</span>", page) or re.search(r">总</span><span[^>]*>计<", page)
    soup = BeautifulSoup(page, "lxml")
    rows = _table_3(soup).find_all("tr")
    assert len(rows) == 28
    first = rows[3].find_all("td")
    assert [td.get_text(strip=True).replace("\xa0", "") for td in first[-7:]] == [
        gt.published[("requests", "new_requests", c)] for c in REQUEST_COLUMNS
    ]


def test_split_style_repeats_the_header() -> None:
    gt = random_ground_truth(random.Random(10))
    soup = BeautifulSoup(render_html(gt, style="split").decode("utf-8"), "lxml")
    parts = [t for t in soup.find_all("table") if "申请人情况" in t.get_text()]
    assert len(parts) == 2
    body_rows = [len(p.find_all("tr")) - 3 for p in parts]
    assert sum(body_rows) == 25 and min(body_rows) > 0
    cells = [td for p in parts for tr in p.find_all("tr")[3:] for td in tr.find_all("td")[-7:]]
    assert len(cells) == 175


def test_per_item_style_has_four_small_tables() -> None:
    gt = random_ground_truth(random.Random(11))
    tables = BeautifulSoup(render_html(gt, style="per_item").decode("utf-8"), "lxml").find_all("table")
    heads = [t.find_all("td")[0].get_text() for t in tables]
    assert heads[:4] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert len(tables) == 6


def test_portal_style_is_a_cms_page() -> None:
    gt = random_ground_truth(random.Random(12))
    page = render_html(gt, style="portal", encoding="utf-8").decode("utf-8")
    for marker in (
        "索 引 号",
        "发布机构",
        "发布日期",
        "文　　号",
        "网站标识码",
        'name="SiteIDCode"',
        "当前位置",
        gt.published_date,
        gt.site_id,
    ):
        assert marker in page
    assert re.search(r"\d{4}-\d{2}-\d{2} \(\d+\)", page)  # sidebar date and view count
    soup = BeautifulSoup(page, "lxml")
    assert soup.select("h1")[0].get_text() == gt.title
    assert "申请人情况" in soup.select("#zoom")[0].get_text()


@settings(max_examples=15, deadline=None)
@given(gt=ground_truths(None), rng=render_seeds())
def test_every_renderer_on_random_reports(gt: GroundTruth, rng: random.Random) -> None:
    expected_failures = {gt.broken_rule} if gt.broken_rule else set()
    assert _failing_rules(gt.template, gt.values) == expected_failures
    text = render_text(gt, rng=rng).decode("utf-8")
    assert "\t申请人情况" in text
    for style in STYLES:
        page = render_html(gt, style=style, rng=rng)
        assert b"</html>" in page


# --------------------------------------------------------------------------------------------
# Office
# --------------------------------------------------------------------------------------------


def test_docx_has_merged_cells_and_a_grid() -> None:
    gt = random_ground_truth(random.Random(13), blank_legal_person=True)
    raw = render_docx(gt, rng=random.Random(1))
    assert zipfile.ZipFile(io.BytesIO(raw)).testzip() is None
    doc = docx.Document(io.BytesIO(raw))
    assert len(doc.tables) == 3
    t3 = doc.tables[1]
    assert (len(t3.rows), len(t3.columns)) == (28, 10)
    xml = t3._tbl.xml
    assert xml.count("<w:gridCol ") == 10 and "w:gridSpan" in xml and 'w:vMerge w:val="restart"' in xml
    assert t3.cell(0, 0).text == t3.cell(2, 2).text  # the header note spans 3×3
    assert t3.cell(5, 0).text == t3.cell(26, 0).text == "三、本年度办理结果"
    values = [c.text.strip() for c in t3.rows[3].cells[3:]]
    assert values == [gt.published[("requests", "new_requests", c)] for c in REQUEST_COLUMNS]
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "一、总体情况" in texts and "六、其他需要报告的事项" in texts
    assert (
        any(len(c.paragraphs) == 2 for c in t3.rows[2].cells[4:6]) or "商业企业" in t3.rows[2].cells[4].text
    )


def test_xlsx_has_numbers_and_merges() -> None:
    gt = random_ground_truth(random.Random(14), thousands_separators=True)
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(gt))).active
    assert isinstance(ws, Worksheet)
    assert ws["A1"].value == gt.title
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:O1" in merged
    numbers = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float))]
    assert len(numbers) == 200

    def merged_size(text: str) -> tuple[int, int]:
        cell = next(c for row in ws.iter_rows() for c in row if c.value == text)
        area = next(r for r in ws.merged_cells.ranges if cell.coordinate in r)
        return area.max_row - area.min_row + 1, area.max_col - area.min_col + 1

    assert merged_size("申请人情况") == (1, 7)
    assert merged_size("三、本年度办理结果") == (22, 1)
    assert merged_size("（七）总计") == (1, 2)
    assert merged_size("行政诉讼") == (1, 10)


def test_xlsx_keeps_text_cells_as_text() -> None:
    gt = random_ground_truth(random.Random(15), not_applicable_rules=True, full_width_digits=True)
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(gt))).active
    assert isinstance(ws, Worksheet)
    values = [c.value for row in ws.iter_rows() for c in row]
    assert values.count("/") == 3
    assert not any(isinstance(v, (int, float)) for v in values)


# --------------------------------------------------------------------------------------------
# Pages that are not reports
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", NOT_REPORT_KINDS)
def test_not_reports(kind: str) -> None:
    title, raw = render_not_report(kind, random.Random(16))
    page = raw.decode("utf-8")
    assert title in page and "申请人情况" not in page and "本列数据的勾稽关系" not in page
    if kind == "final_accounts":
        assert "部门决算" in title and "万元" in page and page.count("<table") >= 4
    if kind == "guide":
        assert title.endswith("政府信息公开指南")
    if kind == "news":
        assert "年度报告" in page
    with pytest.raises(ValueError):
        render_not_report("poem", random.Random(0))
