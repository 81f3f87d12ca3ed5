"""The layout of the replica sites: which page is served at which path, and what each report is.

Every report is drawn with `pipeline.render.random_ground_truth` and published the way its CMS
family publishes, with the quirks a crawler must survive (see `build_layout`). The layout depends
on the seed only; the server's port is added when the replica starts.
"""

from __future__ import annotations

import json
import math
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import quote

from pipeline.render import (
    GroundTruth,
    continue_from,
    random_ground_truth,
    render_docx,
    render_html,
    render_not_report,
    render_xlsx,
)
from pipeline.render.stats2014 import render_stats_body, stats_ground_truth
from pipeline.replica.pages import (
    Detail,
    Item,
    SiteInfo,
    challenge_page,
    dataproxy_xml,
    detail_page,
    epoint_shell,
    hanweb_column,
    list_page,
    plain_page,
    spa_shell,
)

HTML = "text/html; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json;charset=UTF-8"
OCTET = "application/octet-stream"
STYLES = ("canonical", "word", "split", "per_item")
YEARS = (2024, 2023, 2022, 2021, 2020, 2019)
# A link to another host: the crawl must never leave the site (port 1 refuses at once, never the network).
OFFSITE = "http://localhost:1/offsite/2023nb.html"
ROBOTS_DISALLOWED = "/generic/nb/private/"
CALENDAR = "/generic/nb/calendar.jsp"


@dataclass
class Resource:
    body: bytes
    content_type: str = HTML
    status: int = 200
    location: str = ""  # for redirects
    slow: float = 0.0  # seconds to wait before answering
    fail_first: int = 0  # answer 500 this many times before succeeding
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExpectedReport:
    """One report of the ground truth and the paths of the documents that carry it whole."""

    site_id: str
    truth: GroundTruth
    documents: tuple[str, ...]  # a page, an attachment, or both (the same report twice)
    shell: str = ""  # a page that only points to the attachment ("详见附件")
    agency_id: str = ""  # the agency id the datasets must give it, where known by hand (city portal)


@dataclass
class Layout:
    routes: dict[str, Resource] = field(default_factory=dict)  # "path?query" -> resource
    dynamic: dict[str, Callable[[dict[str, str]], Resource]] = field(default_factory=dict)  # path -> handler
    registry: list[dict] = field(default_factory=list)  # entries; start URLs as paths
    truth: dict[str, list[ExpectedReport]] = field(default_factory=dict)
    list_paths: set[str] = field(default_factory=set)  # every list page (and paging endpoint)
    robots: str = ""


class _Builder:
    def __init__(self, seed: int, per_site: int) -> None:
        self.rng = random.Random(seed)
        self.per_site = per_site
        # Small replicas still page (2 items a page); large ones page like real sites (15–20).
        self.page_size = max(2, per_site // 8)
        self.layout = Layout()
        self._ids: set[int] = set()

    # --- helpers ------------------------------------------------------------------------------

    def new_id(self, low: int = 10000, high: int = 9999999) -> int:
        while True:
            value = self.rng.randint(low, high)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def truths(self, years: tuple[int, ...] = YEARS) -> list[GroundTruth]:
        """Reports of one site, newest publication first (as lists show them)."""
        out = []
        for i in range(self.per_site):
            year = years[i % len(years)]
            out.append(random_ground_truth(self.rng, template="2019" if year <= 2020 else "2021", year=year))
        return sorted(out, key=lambda gt: gt.published_date, reverse=True)

    def body(self, gt: GroundTruth) -> str:
        """The report as the HTML inside a detail page (the body of a rendered report page)."""
        page = render_html(gt, style=self.rng.choice(STYLES), encoding="utf-8").decode("utf-8")
        match = re.search(r"<body[^>]*>(.*)</body>", page, re.S | re.I)
        assert match, "render_html always writes a body"
        return match.group(1)

    def detail(self, gt: GroundTruth, column: str, body: str, attachments: tuple = ()) -> Detail:
        d = date.fromisoformat(gt.published_date)
        return Detail(
            title=gt.title,
            publisher=gt.agency_full,
            date=gt.published_date,
            time=f"{self.rng.randint(8, 17):02d}:{self.rng.randint(0, 59):02d}",
            index_no=f"{self.rng.randint(10**8, 10**9 - 1)}/{d.year}-{self.rng.randint(1, 999):05d}",
            column=column,
            body=body,
            attachments=attachments,
        )

    def page(
        self, path: str, html: str, charset: str = "utf-8", *, slow: float = 0.0, fail_first: int = 0
    ) -> None:
        body = html.encode("gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset)
        self.layout.routes[path] = Resource(
            body, f"text/html; charset={charset}", slow=slow, fail_first=fail_first
        )

    def list_route(self, path: str, html: str, charset: str = "utf-8") -> None:
        self.page(path, html, charset)
        self.layout.list_paths.add(path)

    def numbered_lists(
        self, path: str, site: SiteInfo, items: list[Item], columns: list[tuple[str, str]] | None = None
    ) -> None:
        """`items` as list pages path, path?page=2 …, each linking the others by number."""
        pages = _pages(items, self.page_size)
        for k, chunk in enumerate(pages):
            numbers = " ".join(
                f'<a href="list.jsp{f"?page={n + 1}" if n else ""}">{n + 1}</a>'
                for n in range(len(pages))
                if n != k
            )
            pager_path = path + (f"?page={k + 1}" if k else "")
            self.list_route(
                pager_path, list_page(site, "政府信息公开年报", chunk, pager=numbers, columns=columns)
            )

    def decoys(self, site: SiteInfo, folder: str) -> list[Item]:
        """A 部门决算 and a 文字解读 page in the report column: look-alikes the crawl must skip."""
        items = []
        for kind in ("final_accounts", "news"):
            title, body = render_not_report(kind, self.rng)
            path = f"{folder}decoy_{self.new_id()}.html"
            self.layout.routes[path] = Resource(body)
            items.append(Item(path, title, "2024-02-01"))
        return items

    def expect(
        self, site_id: str, gt: GroundTruth, *documents: str, shell: str = "", agency_id: str = ""
    ) -> None:
        report = ExpectedReport(site_id, gt, documents, shell, agency_id)
        self.layout.truth.setdefault(site_id, []).append(report)

    def register(
        self,
        site_id: str,
        site: SiteInfo,
        start: str,
        cms: str | None,
        gts: list[GroundTruth],
        *,
        region_code: str = "",
        level: str = "county",
    ) -> None:
        entry: dict = {
            "id": site_id,
            "agency": site.name,
            "name": f"{site.name}（replica）",
            "start_urls": [start],
        }
        if cms:
            entry["cms"] = cms
        region_code = region_code or (gts[0].region_code if gts else "")
        if re.fullmatch(r"\d{6}", region_code):
            entry["region_code"] = region_code
        entry["level"] = level
        self.layout.registry.append(entry)
        self.layout.truth.setdefault(site_id, [])

    def site(self, base: str, gts: list[GroundTruth], charset: str = "utf-8") -> SiteInfo:
        name = f"{gts[0].place}人民政府" if gts and gts[0].place else "某县人民政府"
        return SiteInfo(
            name, f"{self.rng.randint(100000, 659999)}{self.rng.randint(1, 60):04d}", base, charset
        )


def _pages(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _ymd(gt: GroundTruth) -> tuple[int, int, int]:
    d = date.fromisoformat(gt.published_date)
    return d.year, d.month, d.day


# --- TRS: year sub-columns, script paging, attachment-only report, _wap twin, 301 -----------------


def _trs(b: _Builder) -> None:
    site_id, base = "replica-trs", "/trs"
    gts = b.truths(years=(2024, 2020))  # few years, so that year columns have several pages
    site = b.site(base, gts)
    root = f"{base}/zfxxgknb/"
    years = sorted({gt.year for gt in gts}, reverse=True)
    year_items = [Item(f"{y}n/", f"{y}年", "") for y in years]
    script = '<script>createPageHTML(1, 0, "index", "html");</script>'
    html = list_page(site, "政府信息公开年报", year_items, pager=script, columns=[("政府信息公开年报", root)])
    b.list_route(root + "index.html", html)
    quirks = {id(gt): i for i, gt in enumerate(gts)}  # the 4 newest reports carry one quirk each
    for year in years:
        reports = [gt for gt in gts if gt.year == year]
        _trs_year(b, site_id, site, f"{root}{year}n/", reports, quirks, decoys=year == years[0])
    b.register(site_id, site, root + "index.html", "trs", gts)


def _trs_year(
    b: _Builder,
    site_id: str,
    site: SiteInfo,
    folder: str,
    gts: list[GroundTruth],
    quirks: dict[int, int],
    decoys: bool,
) -> None:
    items: list[Item] = []
    for gt in gts:
        y, m, d = _ymd(gt)
        rel = f"./{y}{m:02d}/t{y}{m:02d}{d:02d}_{b.new_id()}.html"
        path = folder + rel[2:]
        quirk = quirks[id(gt)]
        attachments: tuple = ()
        body = b.body(gt)
        if quirk == 1:  # only the attachment carries the report
            docx = f"{path.rsplit('/', 1)[0]}/P0{y}{m:02d}{d:02d}{b.new_id()}.docx"
            body, attachments = "<p>详见附件。</p>", ((docx.rsplit("/", 1)[1], f"{gt.title}.docx"),)
            b.layout.routes[docx] = Resource(render_docx(gt), DOCX)
            b.expect(site_id, gt, docx, shell=path)
        elif quirk == 2:  # the report as a page and as a DOCX attachment
            docx = f"{path.rsplit('/', 1)[0]}/P0{y}{m:02d}{d:02d}{b.new_id()}.docx"
            attachments = ((docx.rsplit("/", 1)[1], f"{gt.title}.docx"),)
            b.layout.routes[docx] = Resource(render_docx(gt), DOCX)
            b.expect(site_id, gt, path, docx)
        else:
            b.expect(site_id, gt, path)
        b.page(path, detail_page("trs", site, b.detail(gt, "政府信息公开年报", body, attachments)))
        link = rel
        if quirk == 0:  # the mobile twin is linked too, and serves the same page
            b.layout.routes[path.replace(".html", "_wap.html")] = b.layout.routes[path]
            items.append(Item(rel.replace(".html", "_wap.html"), gt.title, gt.published_date, cut=20))
        if quirk == 3:  # the list links an old address that redirects
            old = f"{folder}old_{b.new_id()}.html"
            b.layout.routes[old] = Resource(b"", status=301, location=path)
            link = old.rsplit("/", 1)[1]
        items.append(Item(link, gt.title, gt.published_date, cut=20))
    if decoys:
        items[1:1] = b.decoys(site, folder)
    pages = _pages(items, b.page_size)
    for k, chunk in enumerate(pages):
        script = f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script>'
        name = "index.html" if k == 0 else f"index_{k}.html"
        b.list_route(folder + name, list_page(site, "政府信息公开年报", chunk, pager=script))


# --- Hanweb: datastore columns, dataproxy.jsp POST paging, a 500 that succeeds on retry -----------


_HANWEB_PER_PAGE = 3


def _hanweb(b: _Builder) -> None:
    site_id, base = "replica-hanweb", "/hanweb"
    gts = b.truths()
    site = b.site(base, gts)
    columns = {1229: ("政府信息公开年报", gts[0::2]), 1230: ("部门年报", gts[1::2])}
    nav = [(name, f"{base}/col/col{cid}/index.html") for cid, (name, _) in columns.items()]
    records: dict[int, list[Item]] = {}
    for cid, (name, reports) in columns.items():
        records[cid] = []
        for i, gt in enumerate(reports):
            y, m, d = _ymd(gt)
            path = f"{base}/art/{y}/{m}/{d}/art_{cid}_{b.new_id()}.html"
            flaky = 1 if cid == 1229 and i == 0 else 0
            b.page(path, detail_page("hanweb", site, b.detail(gt, name, b.body(gt))), fail_first=flaky)
            b.expect(site_id, gt, path)
            records[cid].append(Item(path, gt.title, gt.published_date))
        if cid == 1229:
            guide = f"{base}/art/2024/1/5/art_{cid}_{b.new_id()}.html"
            b.page(guide, plain_page(site, f"{site.name}政府信息公开指南", "<p>公开指南正文。</p>"))
            records[cid].insert(1, Item(guide, f"{site.name}政府信息公开指南", "2024-01-05"))
        total = len(records[cid])
        html = hanweb_column(
            site, name, cid, records[cid][:_HANWEB_PER_PAGE], total, _HANWEB_PER_PAGE, 1, nav
        )
        b.list_route(f"{base}/col/col{cid}/index.html", html)

    def dataproxy(params: dict[str, str]) -> Resource:
        cid = int(params.get("columnid", "0"))
        start, end = int(params.get("startrecord", "1")), int(params.get("endrecord", "1"))
        found = records.get(cid, [])
        xml = dataproxy_xml(found[start - 1 : end], len(found), int(params.get("perpage", "15")))
        return Resource(xml.encode("utf-8"), "text/xml; charset=utf-8")

    proxy = f"{base}/module/web/jpage/dataproxy.jsp"
    b.layout.dynamic[proxy] = dataproxy
    b.layout.list_paths.add(proxy)
    b.register(site_id, site, f"{base}/col/col1229/index.html", "hanweb", gts)


# --- VSB: pages numbered downwards, an XLSX-only report behind a download.jsp ----------------------


def _vsb(b: _Builder) -> None:
    site_id, base = "replica-vsb", "/vsb"
    gts = b.truths()
    site = b.site(base, gts)
    comment = "<!--Announced by Visual SiteBuilder 9-->\n"
    items: list[tuple[str, GroundTruth]] = []
    for i, gt in enumerate(gts):
        path = f"{base}/info/1050/{b.new_id(10000, 99999)}.htm"
        attachments: tuple = ()
        body = b.body(gt)
        if i == 1:  # the report only as a spreadsheet, from an extension-less download endpoint
            file_id = b.new_id()
            query = f"urltype=news.DownloadAttachUrl&owner=1050&wbfileid={file_id}"
            href = f"{base}/system/_content/download.jsp?{query}"
            name = f"{gt.title}.xlsx"
            disposition = f"attachment; filename*=UTF-8''{quote(name)}"
            b.layout.routes[href] = Resource(
                render_xlsx(gt), OCTET, headers=(("Content-Disposition", disposition),)
            )
            body, attachments = "<p>详见附件。</p>", ((href, name),)
            b.expect(site_id, gt, href, shell=path)
        else:
            b.expect(site_id, gt, path)
        b.page(
            path,
            detail_page("vsb", site, b.detail(gt, "政府信息公开年报", body, attachments), comment=comment),
        )
        items.append((path.removeprefix(f"{base}/"), gt))
    pages = _pages(items, b.page_size)
    count = len(pages)
    for k, chunk in enumerate(pages):
        # Page 1 is xxgknb.htm; page k+1 is xxgknb/{count-k}.htm (VSB numbers pages downwards).
        here = "xxgknb.htm" if k == 0 else f"xxgknb/{count - k}.htm"
        up = "../../" if k == 0 else "../../../"
        listed = [Item(up + rel, gt.title, gt.published_date) for rel, gt in chunk]
        prefix = "xxgknb/" if k == 0 else ""
        pager = f"共{len(items)}条 {k + 1}/{count}"
        if k + 1 < count:
            pager += f' <a href="{prefix}{count - k - 1}.htm" class="Next">下页</a>'
            pager += f' <a href="{prefix}1.htm">尾页</a>'
        b.list_route(
            f"{base}/gk/zfxxgk/{here}", list_page(site, "信息公开年报", listed, pager=pager, comment=comment)
        )
    b.register(site_id, site, f"{base}/gk/zfxxgk/xxgknb.htm", None, gts)


# --- EmpireCMS: GBK pages, ListInfo paging, a slow detail page --------------------------------------


def _empire(b: _Builder) -> None:
    site_id, base = "replica-empire", "/empire"
    gts = b.truths()
    site = b.site(base, gts, charset="gbk")
    items = []
    for i, gt in enumerate(gts):
        path = f"{base}/e/action/ShowInfo.php?classid=175&id={b.new_id(1000, 9999)}&tempid=14"
        b.page(
            path,
            detail_page("empire", site, b.detail(gt, "政府信息公开年报", b.body(gt))),
            "gbk",
            slow=1.0 if i == 2 else 0,
        )
        b.expect(site_id, gt, path)
        items.append(Item(path, gt.title, gt.published_date))
    pages = _pages(items, b.page_size)
    listing = f"{base}/e/action/ListInfo/?classid=175"
    for k, chunk in enumerate(pages):
        pager = f'<a href="{listing}&page={k + 1}">下一页</a>' if k + 1 < len(pages) else ""
        path = listing if k == 0 else f"{listing}&page={k}"
        b.list_route(path, list_page(site, "政府信息公开年报", chunk, pager=pager), "gbk")
    b.register(site_id, site, listing, None, gts)


# --- generic: ?page=N lists, agency-type sub-columns, robots.txt, calendar trap, 404, offsite -------


def _generic(b: _Builder) -> None:
    site_id, base = "replica-generic", "/generic"
    gts = b.truths()
    site = b.site(base, gts)
    root = f"{base}/nb/"
    groups = {"": gts[: max(1, math.ceil(len(gts) * 0.6))]}
    rest = gts[len(groups[""]) :]
    groups["bm/"], groups["jd/"] = rest[0::2], rest[1::2]
    nav = [
        ("部门年报", f"{root}bm/list.jsp"),
        ("街道年报", f"{root}jd/list.jsp"),
        ("内部年报", f"{ROBOTS_DISALLOWED}list.jsp"),
    ]
    for sub, reports in groups.items():
        items = []
        for i, gt in enumerate(reports):
            if sub == "" and i == 1:  # a report only as a file, linked straight from the list
                path = f"{root}files/{gt.published_date.replace('-', '')}{b.new_id()}.docx"
                b.layout.routes[path] = Resource(render_docx(gt), DOCX)
            else:
                path = f"{root}{sub}content/{b.new_id()}.html"
                b.page(path, detail_page("generic", site, b.detail(gt, "年报", b.body(gt))))
            b.expect(site_id, gt, path)
            items.append(Item(path.removeprefix(root + sub), gt.title, gt.published_date))
        if sub == "":
            items[1:1] = [
                *b.decoys(site, root),
                Item("content/404404.html", f"{site.name}2015年政府信息公开工作年度报告", "2016-03-01"),
                Item(
                    OFFSITE,
                    f"{site.name.removesuffix('人民政府')}2023年政府信息公开工作年度报告",
                    "2024-01-20",
                ),
                Item(f"calendar.jsp?date={date(2023, 1, 1).isoformat()}", "2023年", ""),
            ]
        b.numbered_lists(f"{root}{sub}list.jsp", site, items, columns=nav)
    b.page(
        f"{ROBOTS_DISALLOWED}list.jsp",
        list_page(site, "内部年报", [Item(f"{CALENDAR}?date=2020-01-01", "2020年", "")]),
    )
    b.layout.dynamic[CALENDAR] = lambda params: _calendar(site, params.get("date", "2023-01-01"))
    b.layout.robots = f"User-agent: *\nDisallow: {ROBOTS_DISALLOWED}\n"
    b.register(site_id, site, f"{root}list.jsp", None, gts)


def _calendar(site: SiteInfo, day: str) -> Resource:
    """An endless calendar: every day links the next one, and its year, like a sub-column."""
    try:
        current = date.fromisoformat(day)
    except ValueError:
        current = date(2023, 1, 1)
    after = current + timedelta(days=1)
    items = [
        Item(f"{CALENDAR}?date={after.isoformat()}", f"{after.year}年", ""),
        Item(f"?date={after}", "下一页", ""),
    ]
    return Resource(list_page(site, f"{current.isoformat()} 日历", items).encode("utf-8"))


# --- Zhejiang annual-report module: the year is a parameter -----------------------------------------


def _zhejiang(b: _Builder) -> None:
    site_id, base = "replica-zj", "/zj"
    gts = b.truths()
    site = b.site(base, gts)
    by_year: dict[int, list[Item]] = {}
    for gt in gts:
        y, m, d = _ymd(gt)
        path = f"{base}/art/{y}/{m}/{d}/art_1229_{b.new_id()}.html"
        b.page(path, detail_page("hanweb", site, b.detail(gt, "政府信息公开年报", b.body(gt))))
        b.expect(site_id, gt, path)
        by_year.setdefault(gt.year, []).append(Item(path, gt.title, gt.published_date))

    def annual(params: dict[str, str]) -> Resource:
        year = params.get("fbtime", "")
        items = by_year.get(int(year), []) if year.isdigit() else []
        extra = "" if items else "<p>暂无数据</p>"
        return Resource(list_page(site, f"{year}年度政府信息公开年报", items, extra=extra).encode("utf-8"))

    module = f"{base}/module/xxgk/xxgkAnnualReport.jsp"
    b.layout.dynamic[module] = annual
    b.layout.list_paths.add(module)
    b.register(site_id, site, f"{module}?area=001008003015001&fbtime={YEARS[0]}", "zj_annual", gts)


# --- Epoint WebBuilder: detail pages are shells filled by a getGovInfoDetail POST ------------------

EPOINT_PROJECT = "/epoint/EpointWebBuilder"
_EPOINT_DETAIL = f"{EPOINT_PROJECT}/rest/frontAppNotNeedLoginAction/getGovInfoDetail"


def _epoint(b: _Builder) -> None:
    site_id, base = "replica-epoint", "/epoint"
    gts = b.truths()
    site = b.site(base, gts)
    site_guid = _uuid(b)
    articles: dict[str, GroundTruth] = {}
    bodies: dict[str, str] = {}  # rendered once: the same URL serves the same bytes on every request
    items = []
    for gt in gts:
        guid = _uuid(b)
        articles[guid] = gt
        bodies[guid] = b.body(gt)
        shell = f"{base}/xxgk/ndbg/showinfo.html?infoGuid={guid}"
        b.page(shell, epoint_shell(site, b.detail(gt, "政府信息公开年报", ""), site_guid, EPOINT_PROJECT))
        b.expect(site_id, gt, f"{_EPOINT_DETAIL}?infoid={guid}", shell=shell)
        items.append(Item(shell, gt.title, gt.published_date))

    def detail(params: dict[str, str]) -> Resource:
        try:
            asked = json.loads(params.get("params", "{}"))
        except ValueError:
            asked = {}
        infoid = asked.get("infoid", "")
        gt = articles.get(infoid) if asked.get("siteGuid") == site_guid else None
        if gt is None:
            return Resource(json.dumps({"custom": {"status": "false", "message": "无此信息"}}).encode(), JSON)
        data = {
            "title": gt.title,
            "infocontent": bodies[infoid],
            "infodate": gt.published_date,
            "deptname": gt.agency_full,
        }
        return Resource(
            json.dumps({"custom": {"status": "true", "data": data}}, ensure_ascii=False).encode(), JSON
        )

    b.layout.dynamic[_EPOINT_DETAIL] = detail
    pages = _pages(items, b.page_size)
    for k, chunk in enumerate(pages):
        name = "index.html" if k == 0 else f"index_{k}.html"
        pager = f'<a href="index_{k + 1}.html">下一页</a>' if k + 1 < len(pages) else ""
        b.list_route(f"{base}/xxgk/ndbg/{name}", list_page(site, "政府信息公开年报", chunk, pager=pager))
    b.register(site_id, site, f"{base}/xxgk/ndbg/index.html", "epoint", gts)


def _uuid(b: _Builder) -> str:
    return str(uuid.UUID(int=b.rng.getrandbits(128), version=4))


# --- a single-page site: lists and articles are JSON answers to POSTs -------------------------------


def _spa(b: _Builder) -> None:
    site_id, base = "replica-spa", "/spa"
    gts = b.truths()
    site = b.site(base, gts)
    column = f"{b.new_id()}"
    articles: dict[str, GroundTruth] = {}
    bodies: dict[str, str] = {}  # rendered once: the same URL serves the same bytes on every request
    for gt in gts:
        article = f"i{gt.published_date.replace('-', '')}-{b.new_id()}"
        articles[article] = gt
        bodies[article] = b.body(gt)
        shell = f"{base}/art/info/{column}/{article}"
        b.page(shell, spa_shell(site, site.name))
        b.expect(site_id, gt, f"{base}/html/info/detail?id={article}", shell=shell)
    order = list(articles)  # newest first, as the truths are

    def listing(params: dict[str, str]) -> Resource:
        page, size = int(params.get("pageNo") or 1), int(params.get("pageSize") or 10)
        chosen = order[(page - 1) * size : page * size] if params.get("columnId") == column else []
        rows = [
            {"id": a, "title": articles[a].title, "publishDate": articles[a].published_date} for a in chosen
        ]
        data = {
            "total": len(order) if chosen or page == 1 else 0,
            "pageNo": page,
            "pageSize": size,
            "list": rows,
        }
        return Resource(json.dumps({"success": True, "data": data}, ensure_ascii=False).encode(), JSON)

    def detail(params: dict[str, str]) -> Resource:
        article = params.get("id", "")
        gt = articles.get(article)
        if gt is None:
            return Resource(json.dumps({"success": False, "data": None}).encode(), JSON)
        data = {
            "title": gt.title,
            "body": bodies[article],
            "dept": gt.agency_full,
            "publishDate": gt.published_date,
        }
        return Resource(json.dumps({"success": True, "data": data}, ensure_ascii=False).encode(), JSON)

    b.layout.dynamic[f"{base}/html/info/list"] = listing
    b.layout.dynamic[f"{base}/html/info/detail"] = detail
    b.layout.list_paths.add(f"{base}/html/info/list")
    b.page(f"{base}/column/{column}", spa_shell(site, "政府信息公开年报"))
    b.register(site_id, site, f"{base}/column/{column}", "spa_json", gts)


# --- a column of files only: one link a year, its text the year ---------------------------------------


def _files(b: _Builder) -> None:
    site_id, base = "replica-files", "/files"
    gts = b.truths()
    site = b.site(base, gts)
    items = []
    for i, gt in enumerate(gts):
        ext, body, kind = (".xlsx", render_xlsx(gt), XLSX) if i % 3 == 2 else (".docx", render_docx(gt), DOCX)
        path = f"{base}/gknb/files/{gt.year}_{b.new_id()}{ext}"
        b.layout.routes[path] = Resource(body, kind)
        b.expect(site_id, gt, path)
        label = f"{gt.year}{ext}" if i % 2 else f"{gt.year}年度"  # a year, or a file name, nothing else
        items.append(Item(path, label, gt.published_date))
    b.list_route(f"{base}/gknb/index.html", list_page(site, "政府信息公开年报", items))
    b.register(site_id, site, f"{base}/gknb/index.html", "files", gts)


# --- a site behind a JS cookie challenge (served with 200) ------------------------------------------


def _challenged(b: _Builder) -> None:
    site_id, base = "replica-challenged", "/challenged"
    path = f"{base}/zfxxgknb/index.html"
    b.list_route(path, challenge_page())
    b.register(site_id, SiteInfo("某市人民政府", "0000000000", base), path, None, [])


# --- a city portal: its own, its districts' and its departments' reports in one column -------------

CITY_PORTAL = "replica-city"


@dataclass(frozen=True)
class _PortalAgency:
    agency: str  # as the title names it
    full: str
    agency_id: str  # what the datasets must call it (docs/agency-ids.md), worked out by hand


_FINANCE = _PortalAgency("佳木斯市财政局", "佳木斯市财政局", "230800-dept-czj")
_QIANJIN = _PortalAgency("前进区人民政府", "佳木斯市前进区人民政府", "230804-gov")
_DONGFENG_EDU = _PortalAgency("东风区教育局", "佳木斯市东风区教育局", "230805-dept-jyj")
_JIAOQU = _PortalAgency("郊区人民政府", "佳木斯市郊区人民政府", "230811-gov")  # 郊区: a name many cities use
_HUANAN = _PortalAgency("桦南县人民政府", "佳木斯市桦南县人民政府", "230822-gov")
_ECOLOGY = _PortalAgency("佳木斯市生态环境局", "佳木斯市生态环境局", "230800-dept-sthjj")


_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z


def _uscc(region_code: str, rng: random.Random) -> str:
    """A unified social credit code of a government organ (登记管理部门 1, 机关 1) in `region_code`,
    with both check characters computed as GB 11714 and GB 32100 define them."""
    body = f"{rng.randint(0, 10**8 - 1):08d}"
    org_sum = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    org = body + {10: "X", 11: "0"}.get(11 - org_sum % 11, str(11 - org_sum % 11))
    code = f"11{region_code}{org}"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(code, weights, strict=True))
    return code + _CODE_CHARS[(31 - total % 31) % 31]


def _city_portal(b: _Builder) -> None:
    """佳木斯市人民政府's portal (230800) lists, in one paged column, what the data contract must show:
    a department's run of years (2020 in the 2019 template, 2021–2023 with carry-over and document
    stock that continue), a district's 2023 report copied from its 2022 one and published late, a
    district department's report with blank legal-person cells (provable zeros), "/" and a failing
    rule, a county's 2016 report in the 2014 statistics table, a department published after 31
    January, and a district whose name (郊区) only the portal's region places."""
    site_id, base = CITY_PORTAL, "/city"
    root = f"{base}/zwgk/nb/"
    site = SiteInfo("佳木斯市人民政府", "2308000001", base)

    def truth(who: _PortalAgency, year: int, *, contract: bool = False) -> GroundTruth:
        """`contract`: blank legal-person cells, "/" for rules, and a failing balance."""
        return random_ground_truth(
            b.rng,
            template="2019" if year <= 2020 else "2021",
            year=year,
            agency=who.agency,
            agency_full=who.full,
            blank_legal_person=contract,
            not_applicable_rules=contract,
            break_rule="requests_balance" if contract else None,
        )

    def dated(gt: GroundTruth, published: str) -> GroundTruth:
        return replace(gt, published_date=published)

    finance = [dated(truth(_FINANCE, 2020), "2021-01-22")]
    for year in (2021, 2022, 2023):
        finance.append(
            dated(continue_from(finance[-1], truth(_FINANCE, year)), f"{year + 1}-01-2{year % 10}")
        )
    qianjin = dated(truth(_QIANJIN, 2022), "2023-03-20")
    copied = replace(
        qianjin, year=2023, title=qianjin.title.replace("2022年", "2023年"), published_date="2024-04-15"
    )
    contract = truth(_DONGFENG_EDU, 2023, contract=True)
    qianjin_body = b.body(qianjin)
    reports: list[tuple[_PortalAgency, GroundTruth, str]] = [
        *((_FINANCE, gt, b.body(gt)) for gt in finance),
        (_QIANJIN, qianjin, qianjin_body),
        (_QIANJIN, copied, qianjin_body.replace("2022年", "2023年")),  # last year's text, new year
        (_DONGFENG_EDU, dated(contract, "2024-01-26"), b.body(contract)),
        (_JIAOQU, dated(truth(_JIAOQU, 2023), "2024-03-08"), ""),
        (_ECOLOGY, dated(truth(_ECOLOGY, 2023), "2024-02-20"), ""),  # 20 days after 31 January
    ]
    stats = stats_ground_truth(
        b.new_id(), agency=_HUANAN.agency, agency_full=_HUANAN.full, year=2016, published_date="2017-03-20"
    )
    reports.append((_HUANAN, stats, render_stats_body(stats)))
    uscc = {who.agency_id: _uscc(who.agency_id[:6], b.rng) for who, _, _ in reports}
    items = []
    for n, (who, gt, body) in enumerate(reports, start=1):
        path = f"{root}content/{b.new_id()}.html"
        index_no = f"{uscc[who.agency_id]}/{gt.published_date[:4]}-{n:05d}"  # 索引号 led by the agency's code
        detail = replace(b.detail(gt, "政府信息公开年报", body or b.body(gt)), index_no=index_no)
        b.page(path, detail_page("generic", site, detail))
        b.expect(site_id, gt, path, agency_id=who.agency_id)
        items.append(Item(path.removeprefix(root), gt.title, gt.published_date))
    items.sort(key=lambda item: item.date, reverse=True)
    b.numbered_lists(f"{root}list.jsp", site, items)
    b.register(site_id, site, f"{root}list.jsp", None, [], region_code="230800", level="city")


FAMILIES = (
    _trs,
    _hanweb,
    _vsb,
    _empire,
    _generic,
    _zhejiang,
    _epoint,
    _spa,
    _files,
    _challenged,
    _city_portal,
)


def build_layout(seed: int = 0, n_reports_per_site: int = 6) -> Layout:
    """Every replica site (TRS, Hanweb, VSB, EmpireCMS in GBK, generic, Zhejiang, challenged).

    Quirks (with at least 4 reports per site): TRS year sub-columns with script-only paging, an
    attachment-only report, a report as page + DOCX, a `_wap` twin and a 301; Hanweb datastore
    columns paged through dataproxy.jsp POSTs and a 500 that succeeds on retry; VSB pages numbered
    downwards and an XLSX-only report behind download.jsp; EmpireCMS in GBK with a 1 s response;
    generic `?page=N` lists with agency-type sub-columns, a robots.txt-disallowed column, a
    calendar trap, a 404, an offsite link, a DOCX linked from the list; Zhejiang's per-year module;
    look-alike pages (部门决算, 文字解读, 指南) in report columns; Epoint WebBuilder detail shells
    filled by a getGovInfoDetail POST; a single-page site whose lists and articles are JSON answers;
    a column of year-labelled files only; a site answering a JS challenge.
    """
    builder = _Builder(seed, n_reports_per_site)
    for family in FAMILIES:
        family(builder)
    return builder.layout
