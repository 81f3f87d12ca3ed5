"""The crawl's decisions in isolation: link titles, URL canonicalisation, scope and trap guards,
challenge pages, detail-page labels, pagination guesses, file names, the summary table."""

from __future__ import annotations

from dataclasses import replace

import pytest
from parsel import Selector
from scrapy.http import Headers, Response

from pipeline.crawl.middlewares import challenge_reason
from pipeline.crawl.scope import Limits, Scope, SiteScope, trap_reason
from pipeline.crawl.summary import format_table
from pipeline.crawl.urls import canonical_url, is_document_url, looks_like_column_index
from pipeline.registry import SiteEntry
from spiders import titles
from spiders.adapters import GENERIC
from spiders.adapters.base import successors
from spiders.adapters.trs import TrsAdapter
from spiders.base import SiteProgress, decide, disposition_filename
from spiders.detail import Link, labelled_values, normalise_date


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("佳木斯市前进区人民政府2024年政府信息公开工作年度报告", titles.REPORT),
        ("关于2023年度政府信息公开工作的报告", titles.REPORT),
        ("前进区2017年信息公开工作年度报告", titles.REPORT),
        ("舒兰市2022年政务信息公开年度报告", titles.REPORT),
        ("2023年政府信息公开工作年度…", titles.REPORT),
        ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", titles.REPORT),
        ("前进区财政局2023年度部门决算报告", titles.NOT_REPORT),
        ("佳木斯市前进区人民政府政府信息公开指南", titles.NOT_REPORT),
        ("文字解读：前进区2023年政府信息公开工作年度报告", titles.NOT_REPORT),
        ("无锡经开区2022年信息公开年度工作报告说明", titles.NOT_REPORT),
        ("关于做好2016年政府信息公开年度报告编制公布工作的通知", titles.NOT_REPORT),
        ("2022年", titles.COLUMN),
        ("2023年度", titles.COLUMN),
        ("部门年报", titles.COLUMN),
        ("区政府工作机构", titles.COLUMN),
        ("政府信息公开年报", titles.COLUMN),
        ("2024年1月", titles.OTHER),
        ("首页", titles.OTHER),
        ("", titles.OTHER),
    ],
)
def test_link_titles(title: str, kind: str) -> None:
    assert titles.classify(title)[0] == kind


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://WWW.Example.GOV.CN:80/a/b.html#top", "http://www.example.gov.cn/a/b.html"),
        ("https://x.gov.cn:443/a/", "https://x.gov.cn/a/"),
        ("http://x.gov.cn:8080/a", "http://x.gov.cn:8080/a"),
        ("http://x.gov.cn/a/list.jsp;jsessionid=ABC123?page=2", "http://x.gov.cn/a/list.jsp?page=2"),
        ("http://x.gov.cn/a/list.jsp?sid=9f&page=2&JSESSIONID=1", "http://x.gov.cn/a/list.jsp?page=2"),
        (
            "http://x.gov.cn/nb/202301/t20230128_2272939_wap.html",
            "http://x.gov.cn/nb/202301/t20230128_2272939.html",
        ),
        # A GBK-encoded query value is kept as written, never re-encoded.
        ("http://x.gov.cn/s.jsp?q=%C4%EA%B1%A8&b=1", "http://x.gov.cn/s.jsp?q=%C4%EA%B1%A8&b=1"),
        ("http://x.gov.cn/附件/年报.docx", "http://x.gov.cn/%E9%99%84%E4%BB%B6/%E5%B9%B4%E6%8A%A5.docx"),
    ],
)
def test_canonical_urls(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_url_shapes() -> None:
    assert is_document_url("http://x.gov.cn/P020240125563341457093.docx")
    assert is_document_url("http://x.gov.cn/system/_content/download.jsp?wbfileid=1")
    assert is_document_url("http://x.gov.cn/a.et") and is_document_url("http://x.gov.cn/b.WPS")
    assert not is_document_url("http://x.gov.cn/info/1050/64208.htm")
    assert looks_like_column_index("http://x.gov.cn/zfxxgknb/2022n/")
    assert looks_like_column_index("http://x.gov.cn/zfxxgknb/index_3.shtml")
    assert not looks_like_column_index("http://x.gov.cn/zfxxgknb/202401/t20240125_1.html")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://x.gov.cn/nb/index.html", None),
        ("http://x.gov.cn/nb/list.jsp;jsessionid=1", "session_id"),
        ("http://x.gov.cn/nb/list.jsp?sid=abc", "session_id"),
        ("http://x.gov.cn/cal.jsp?date=2023-01-02", "calendar"),
        ("http://x.gov.cn/cal.jsp?y=2023&rq=5", "calendar"),
        ("http://x.gov.cn/list.jsp?d=2023-01", "calendar"),
        ("http://x.gov.cn/a/b/a/b/a/b/index.html", "repeating_path"),
        ("http://x.gov.cn/" + "/".join(f"d{i}" for i in range(20)), "path_too_deep"),
        ("http://x.gov.cn/?q=" + "x" * 600, "url_too_long"),
        ("http://x.gov.cn/e/action/ShowInfo.php?classid=175&id=20240125", None),
    ],
)
def test_trap_shapes(url: str, reason: str | None) -> None:
    assert trap_reason(url, Limits()) == reason


def test_trusted_urls_may_carry_dates() -> None:
    assert trap_reason("http://x.gov.cn/annual.jsp?date=2023-01", Limits(), trusted=True) is None


def test_scope_keeps_to_the_site_and_bounds_lists() -> None:
    scope = Scope(Limits(max_list_pages=3, max_query_variants=2))
    site = SiteScope("s", frozenset({"x.gov.cn"}))
    assert scope.refusal("http://y.gov.cn/a.html", site, kind="page") == "offsite"
    assert scope.refusal("http://files.y.gov.cn/a.pdf", site, kind="attachment") is None
    lists = [scope.refusal(f"http://x.gov.cn/l.jsp?p={i}", site, kind="list") for i in range(3)]
    assert lists == [None, None, "query_explosion"]
    assert (
        scope.refusal("http://x.gov.cn/l.jsp?p=9", site, kind="list", trusted=True) is None
    )  # adapter paging
    assert scope.refusal("http://x.gov.cn/l.jsp?p=8", site, kind="page") is None  # documents do not explode
    assert scope.refusal("http://x.gov.cn/2/index.html", site, kind="list") == "max_pages"
    capped = SiteScope("t", frozenset({"x.gov.cn"}), max_pages=1)
    assert [scope.refusal(f"http://x.gov.cn/t{i}/", capped, kind="list") for i in range(2)] == [
        None,
        "max_pages",
    ]


CHALLENGE = b"""<html><head><meta charset="utf-8"></head><body><script>
document.cookie="__jsl_clearance=1;path=/";location.href=location.pathname+location.search;</script></body></html>"""


def test_challenge_pages() -> None:
    assert challenge_reason(200, "text/html", CHALLENGE)
    assert challenge_reason(
        412, "text/html", b"<html><script>eval(function(p){return p}('x'))</script></html>"
    )
    assert challenge_reason(200, "text/html", "<html><title>安全验证</title></html>".encode())
    page = (
        "<html><body><script>document.cookie='fs=16'</script>" + "<p>政府信息公开工作年度报告正文。</p>" * 40
    )
    assert challenge_reason(200, "text/html", page.encode()) is None
    assert challenge_reason(200, "text/html", b"<html><body>" + b"x" * 20000 + b"eval(</body></html>") is None
    assert challenge_reason(200, "application/pdf", b"%PDF-1.7 eval(") is None


def test_labelled_values() -> None:
    html = """<html><body>
    <table><tr><td>索 引 号：</td><td>K45899617/2026-00221</td><td>文　　号：</td><td></td></tr>
    <tr><th>发布机构</th><td>乌恰县人民政府</th></tr></table>
    <div>发布者:区政府办 发布日期:2018-03-16 16:23:19 浏览次数:7625</div>
    <p><span>来源：</span><span>佳木斯市人民政府办公室</span></p>
    </body></html>"""
    values = labelled_values(Selector(text=html).root)
    assert values["索引号"] == "K45899617/2026-00221"
    assert values["文号"] == ""  # a blank cell, not the next label
    assert values["发布机构"] == "乌恰县人民政府"
    assert values["发布者"] == "区政府办"
    assert normalise_date(values["发布日期"]) == "2018-03-16"
    assert values["来源"] == "佳木斯市人民政府办公室"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2024年01月25日", "2024-01-25"),
        ("2024-1-5 10:19", "2024-01-05"),
        ("2024/12/31", "2024-12-31"),
        ("无", ""),
    ],
)
def test_dates(text: str, date: str) -> None:
    assert normalise_date(text) == date


@pytest.mark.parametrize(
    ("url", "first"),
    [
        ("http://x.gov.cn/nb/list.jsp?page=2", "http://x.gov.cn/nb/list.jsp?page=3"),
        ("http://x.gov.cn/nb/index_3.html", "http://x.gov.cn/nb/index_4.html"),
        ("http://x.gov.cn/nb/7.html", "http://x.gov.cn/nb/8.html"),
        ("http://x.gov.cn/nb/", "http://x.gov.cn/nb/index_1.html"),
        ("http://x.gov.cn/public/column/1?type=3", "http://x.gov.cn/public/column/1?type=3&page=2"),
    ],
)
def test_successor_pages(url: str, first: str) -> None:
    assert successors(url)[0] == first


@pytest.mark.parametrize(
    ("header", "name"),
    [
        (b"attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.xlsx", "年报.xlsx"),
        ('attachment; filename="年报.wps"'.encode("gbk"), "年报.wps"),
        ('attachment; filename="年报.doc"'.encode(), "年报.doc"),
        (b"attachment; filename=%E5%B9%B4%E6%8A%A5.pdf", "年报.pdf"),
    ],
)
def test_attachment_file_names(header: bytes, name: str) -> None:
    response = Response("http://x.gov.cn/download.jsp?id=1", headers=Headers({"Content-Disposition": header}))
    assert disposition_filename(response) == name


def test_summary_table_is_aligned() -> None:
    row = {"responses": 12, "list_pages": 3, "reports_found": 5, "documents": 6, "new": 6, "changed": 0}
    sites = {
        "hl-jms-qianjin": {**row, "parsed_ok": 5, "errors": {"http_404": 1}, "status": "ok"},
        "x": {**row, "parsed_ok": 0, "errors": {}, "status": "degraded"},
    }
    lines = format_table(sites).splitlines()
    assert lines[0].split()[:3] == ["site", "health", "fetched"]
    assert [line.split()[1] for line in (lines[2], lines[3])] == ["ok", "degraded"]
    # Every number ends in the column of its heading.
    for heading in ("fetched", "lists", "found", "docs", "new", "changed", "ok"):
        end = lines[0].index(heading) + len(heading)
        assert all(line[end - 1].isdigit() and line[end] == " " for line in (lines[2], lines[3], lines[5]))
    assert lines[-1].startswith("TOTAL") and lines[-1].endswith("http_404=1")


SITE = SiteEntry(id="s", agency="某区人民政府", start_urls=("http://x.gov.cn/zwgk/zfxxgknb/index.html",))


@pytest.mark.parametrize(
    ("url", "title", "hops", "decision"),
    [
        (
            "http://x.gov.cn/zwgk/zfxxgknb/202401/t20240125_1.html",
            "某区2023年政府信息公开工作年度报告",
            0,
            "report",
        ),
        (
            "http://files.y.com/2023nb.pdf",
            "某区2023年政府信息公开工作年度报告",
            0,
            "report",
        ),  # a file elsewhere
        (
            "http://mirror.com/t20240125_1.html",
            "某区2023年政府信息公开工作年度报告",
            0,
            "skip",
        ),  # spam mirror
        ("http://x.gov.cn/zwgk/zfxxgknb/2023n/", "某区2023年政府信息公开工作年度报告", 0, "column"),
        ("http://x.gov.cn/zwgk/zfxxgknb/2022n/", "2022年", 0, "column"),
        ("http://x.gov.cn/zwgk/zfxxgknb/2022n/", "2022年", 3, "skip"),  # too deep
        ("http://x.gov.cn/zwgk/zcwj/", "部门文件", 0, "skip"),  # outside the report column
        ("http://x.gov.cn/zwgk/zfxxgknb/", "政府信息公开年报", 0, "skip"),  # the column itself
        ("http://x.gov.cn/zwgk/zfxxgknb/202401/t20240125_2.html", "2023年度部门决算报告", 0, "skip"),
    ],
)
def test_link_decisions(url: str, title: str, hops: int, decision: str) -> None:
    adapter = TrsAdapter()
    site = SiteProgress(SITE, adapter)
    assert decide(site, adapter, Link(url, title), hops, max_hops=3)[0] == decision


def test_registry_link_pattern_makes_untitled_links_reports() -> None:
    entry = replace(SITE, link_pattern=r"/nb/\d+\.html$")
    site = SiteProgress(entry, GENERIC)
    assert decide(site, GENERIC, Link("http://x.gov.cn/nb/12.html", "2023年度"), 0, 3)[0] == "report"
    assert decide(site, GENERIC, Link("http://x.gov.cn/nb/13.html", "2023年度部门决算"), 0, 3)[0] == "skip"
