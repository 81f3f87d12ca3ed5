"""Government portals to discover report columns from (`nianbao discover`), served by the replica.

Three portals, each built the way real ones are (domain-notes §4.1):
- a province portal whose 政务公开 page links its own 年报 column and lists its departments'
  sites, each with a 信息公开 page and a 年度报告 column;
- a city portal whose 政府信息公开 platform lists districts, counties and city departments, each a
  sub-platform with its own 年报 column; one district's platform lists its streets and towns;
- a portal whose only link to the 年报 column sits in a drop-down menu built by a script.

Look-alikes that discovery must not register: a 统计年报 column (statistics, not OGI reports), a
年报 column with nothing published yet, 政府信息公开指南 pages, and a department whose column the
registry already holds (`Portal.registered`). `Portal.columns` is what discovery must find: every
column with at least one report link, with the agency its reports name.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field

from pipeline.replica.layout import Layout, Resource
from pipeline.replica.pages import Item, SiteInfo, list_page, plain_page

_YEARS = (2024, 2023)


@dataclass(frozen=True)
class PortalColumn:
    """A report column discovery must find."""

    path: str  # the column's list page
    agency: str  # as its reports name it
    level: str  # registry level
    region_code: str | None
    evidence: str  # path of a report linked from the column


@dataclass
class Portal:
    start: str  # the page discovery starts from
    columns: list[PortalColumn] = field(default_factory=list)
    registered: list[PortalColumn] = field(default_factory=list)  # already in the registry given


class _Portals:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def page(self, path: str, html: str) -> None:
        self.layout.routes[path] = Resource(html.encode("utf-8"))

    def column(self, site: SiteInfo, path: str, agency: str, level: str, code: str | None) -> PortalColumn:
        """A 年报 list page with one report a year, and the reports' pages."""
        items = []
        folder = path.rsplit("/", 1)[0]
        for year in _YEARS:
            report = f"{folder}/{year + 1}01/t{year + 1}0120_{zlib.crc32(path.encode()) % 10**6}.html"
            title = f"{agency}{year}年政府信息公开工作年度报告"
            self.page(report, plain_page(site, title, f"<p>{title}（全文）</p>"))
            items.append(Item(report, title, f"{year + 1}-01-20"))
        self.page(path, list_page(site, "政府信息公开年报", items))
        return PortalColumn(path, agency, level, code, items[0].href)

    def empty_column(self, site: SiteInfo, path: str) -> None:
        """A 年报 column with nothing published yet: not a column to register."""
        self.page(path, list_page(site, "政府信息公开年报", []))

    def home(self, site: SiteInfo, links: list[tuple[str, str]], extra: str = "") -> str:
        anchors = "".join(f'<li><a href="{href}">{text}</a></li>' for text, href in links)
        return plain_page(site, site.name, f"<ul class='links'>{anchors}</ul>{extra}")


def _province(p: _Portals) -> Portal:
    base = "/portal-prov"
    site = SiteInfo("黑龙江省人民政府", "2300000001", base)
    portal = Portal(start=f"{base}/index.html")
    p.page(
        portal.start, p.home(site, [("政务公开", f"{base}/zwgk/index.html"), ("政务服务", f"{base}/zwfw/")])
    )
    own = p.column(site, f"{base}/zwgk/ndbg/index.html", "黑龙江省人民政府办公厅", "province", "230000")
    departments = [
        ("省发展和改革委员会", "fgw", "黑龙江省发展和改革委员会", True),
        ("省教育厅", "jyt", "黑龙江省教育厅", True),
        ("省财政厅", "czt", "黑龙江省财政厅", False),  # a column with nothing published yet
        ("省统计局", "tjj", "黑龙江省统计局", True),
    ]
    p.page(
        f"{base}/zwgk/index.html",
        p.home(
            site,
            [
                ("政府信息公开指南", f"{base}/zwgk/zn/index.html"),
                ("政府信息公开年报", f"{base}/zwgk/ndbg/index.html"),
                ("省政府部门", f"{base}/zwgk/bm/index.html"),
            ],
        ),
    )
    p.page(f"{base}/zwgk/zn/index.html", plain_page(site, "政府信息公开指南", "<p>指南</p>"))
    p.page(
        f"{base}/zwgk/bm/index.html",
        p.home(site, [(label, f"/portal-prov-{slug}/index.html") for label, slug, _, _ in departments]),
    )
    portal.columns.append(own)
    for number, (_, slug, name, published) in enumerate(departments, start=2):
        dept_base = f"/portal-prov-{slug}"
        dept = SiteInfo(name, f"230000000{number}", dept_base)
        p.page(f"{dept_base}/index.html", p.home(dept, [("信息公开", f"{dept_base}/xxgk/index.html")]))
        links = [("年度报告", f"{dept_base}/xxgk/ndbg/index.html")]
        if slug == "tjj":  # statistics yearbooks: 年报 in name only
            links.append(("统计年报", f"{dept_base}/tjsj/tjnb/index.html"))
            p.page(
                f"{dept_base}/tjsj/tjnb/index.html",
                list_page(
                    dept, "统计年报", [Item(f"{dept_base}/tjsj/2024.html", "2024年统计年报", "2025-03-01")]
                ),
            )
        p.page(f"{dept_base}/xxgk/index.html", p.home(dept, links))
        column = f"{dept_base}/xxgk/ndbg/index.html"
        if published:
            portal.columns.append(p.column(dept, column, name, "department", "230000"))
        else:
            p.empty_column(dept, column)
    return portal


def _city(p: _Portals) -> Portal:
    base = "/portal-city"
    site = SiteInfo("佳木斯市人民政府", "2308000001", base)
    portal = Portal(start=f"{base}/index.html")
    p.page(portal.start, p.home(site, [("政府信息公开", f"{base}/xxgk/index.html")]))
    units = [
        # (platform label, slug, agency as its reports name it, level, region code)
        ("前进区", "qjq", "佳木斯市前进区人民政府", "county", "230804"),
        ("东风区", "dfq", "佳木斯市东风区人民政府", "county", "230805"),
        ("桦南县", "hnx", "桦南县人民政府", "county", "230822"),
        ("市公安局", "gaj", "佳木斯市公安局", "department", "230800"),
        ("市卫生健康委员会", "wjw", "佳木斯市卫生健康委员会", "department", "230800"),
    ]
    platform = [("政府信息公开年报", f"{base}/xxgk/ndbg/index.html")]
    platform += [(label, f"{base}/xxgk/{slug}/index.html") for label, slug, *_ in units]
    p.page(
        f"{base}/xxgk/index.html",
        plain_page(
            site,
            "佳木斯市政府信息公开平台",
            "<h3>区县政府信息公开</h3><h3>市直部门信息公开</h3><ul>"
            + "".join(f'<li><a href="{href}">{text}</a></li>' for text, href in platform)
            + "</ul>",
        ),
    )
    own = p.column(site, f"{base}/xxgk/ndbg/index.html", "佳木斯市人民政府", "city", "230800")
    portal.columns.append(own)
    for _, slug, name, level, code in units:
        unit = SiteInfo(name, f"2308{slug}", f"{base}/xxgk/{slug}")
        links = [
            ("法定主动公开内容", f"{base}/xxgk/{slug}/fdzdgknr/"),
            ("政府信息公开年报", f"{base}/xxgk/{slug}/nb/index.html"),
        ]
        if slug == "qjq":
            towns = [
                ("港湾街道", "gwjd", "佳木斯市前进区港湾街道办事处"),
                ("南岗街道", "ngjd", "佳木斯市前进区南岗街道办事处"),
            ]
            links += [(label, f"{base}/xxgk/{slug}/{town}/index.html") for label, town, _ in towns]
            for _, town, town_name in towns:
                town_site = SiteInfo(town_name, f"230804{town}", f"{base}/xxgk/{slug}/{town}")
                p.page(
                    f"{base}/xxgk/{slug}/{town}/index.html",
                    p.home(town_site, [("政府信息公开年报", f"{base}/xxgk/{slug}/{town}/nb/index.html")]),
                )
                found = p.column(
                    town_site, f"{base}/xxgk/{slug}/{town}/nb/index.html", town_name, "township", code
                )
                portal.columns.append(found)
        p.page(f"{base}/xxgk/{slug}/index.html", p.home(unit, links))
        found = p.column(unit, f"{base}/xxgk/{slug}/nb/index.html", name, level, code)
        if slug == "wjw":  # the registry handed to discovery already holds this one
            portal.registered.append(found)
        else:
            portal.columns.append(found)
    return portal


def _menu(p: _Portals) -> Portal:
    base = "/portal-menu"
    site = SiteInfo("绥化市人民政府", "2312000001", base)
    portal = Portal(start=f"{base}/index.html")
    menu = [
        {"name": "首页", "url": f"{base}/index.html"},
        {
            "name": "政务公开",
            "children": [
                {"name": "政府信息公开指南", "url": f"{base}/gk/zn/"},
                {"name": "政府信息公开年报", "url": f"{base}/gk/nb/index.html"},
            ],
        },
    ]
    script = (
        "<div id='menu'></div><script>var menuData = "
        + json.dumps(menu, ensure_ascii=False)
        + ";\nfunction drawMenu(m){var h='';for(var i=0;i<m.length;i++){h+='<li>'+m[i].name+'</li>';}"
        "document.getElementById('menu').innerHTML=h;}drawMenu(menuData);</script>"
    )
    p.page(portal.start, p.home(site, [("政务服务", f"{base}/zwfw/")], extra=script))
    portal.columns.append(p.column(site, f"{base}/gk/nb/index.html", "绥化市人民政府", "city", "231200"))
    return portal


def add_portals(layout: Layout) -> dict[str, Portal]:
    """Serve the three portals on the replica; returns their truth by name."""
    p = _Portals(layout)
    return {"province": _province(p), "city": _city(p), "menu": _menu(p)}
