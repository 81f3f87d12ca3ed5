"""HTML of replica sites: list and detail pages in the markup of each CMS family.

The markup follows what the families publish (domain-notes §4.2–4.4): site chrome with navigation
that links look-alike columns (政府信息公开指南), metadata tables (索引号 / 发布机构 / 发布日期),
the standard meta tags (ArticleTitle, PubDate, ContentSource, SiteIDCode) and each family's paging.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class SiteInfo:
    name: str  # 佳木斯市前进区人民政府
    site_code: str  # 网站标识码
    base: str  # path prefix of the site on the replica server ("/trs")
    charset: str = "utf-8"  # declared charset ("gbk" for the GBK family)


@dataclass(frozen=True)
class Item:
    """One entry of a list page."""

    href: str
    title: str
    date: str
    cut: int = 0  # cut the visible title to this many characters (the full one stays in `title=`)

    def anchor(self) -> str:
        text = self.title if not self.cut or len(self.title) <= self.cut else self.title[: self.cut] + "…"
        return f'<a href="{_attr(self.href)}" title="{_attr(self.title)}" target="_blank">{_esc(text)}</a>'


@dataclass(frozen=True)
class Detail:
    """What a detail page shows around the report body."""

    title: str
    publisher: str
    date: str  # YYYY-MM-DD
    time: str  # HH:MM
    index_no: str
    column: str
    body: str  # HTML of the report (or of a "see attachment" note)
    attachments: tuple[tuple[str, str], ...] = ()  # (href, link text)


def _esc(text: str) -> str:
    return escape(text, quote=False)


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _head(site: SiteInfo, title: str, meta: str = "") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={site.charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{_esc(title)}</title>
<meta name="SiteName" content="{_attr(site.name)}">
<meta name="SiteIDCode" content="{site.site_code}">
{meta}
<link rel="stylesheet" href="{site.base}/css/style.css">
<script src="{site.base}/js/jquery.min.js"></script>
</head>"""


def _header(site: SiteInfo) -> str:
    b = site.base
    # A stale server-side date in the chrome (quirk 24).
    return f"""<div class="top"><span class="date">2019年12月3日 星期二</span>
<a href="{b}/wap/">手机版</a></div>
<div class="header"><h1 class="logo"><a href="{b}/">{_esc(site.name)}</a></h1>
<form action="{b}/search" method="get"><input name="q"><button>搜索</button></form></div>
<div class="nav"><a href="{b}/">首页</a> <a href="{b}/zwgk/">政务公开</a> <a href="{b}/zwfw/">政务服务</a>
<a href="{b}/hdjl/">互动交流</a></div>"""


def _footer(site: SiteInfo) -> str:
    return f"""<div class="footer"><p>主办：{_esc(site.name)}办公室</p>
<p>网站标识码：{site.site_code} <a href="https://beian.miit.gov.cn/">ICP备12345678号</a></p></div>"""


def _sidebar(site: SiteInfo, columns: list[tuple[str, str]]) -> str:
    b = site.base
    links = "".join(f'<li><a href="{_attr(href)}">{_esc(name)}</a></li>' for name, href in columns)
    return f"""<div class="left"><h3>政府信息公开</h3><ul>
<li><a href="{b}/zfxxgkzn/index.html">政府信息公开指南</a></li>
<li><a href="{b}/zfxxgkzd/index.html">政府信息公开制度</a></li>
<li><a href="{b}/fdzdgknr/index.html">法定主动公开内容</a></li>
{links}</ul></div>"""


def _items(items: list[Item]) -> str:
    return "\n".join(f"<li>{item.anchor()}<span>{item.date}</span></li>" for item in items)


def list_page(
    site: SiteInfo,
    column: str,
    items: list[Item],
    *,
    pager: str = "",
    columns: list[tuple[str, str]] | None = None,
    extra: str = "",
    comment: str = "",
) -> str:
    """A plain HTML list page (TRS, VSB, Empire, generic): chrome, sub-column links, items, pager."""
    head = _head(site, f"{column}_{site.name}", f'<meta name="ColumnName" content="{_attr(column)}">')
    return f"""{comment}{head}
<body>
{_header(site)}
<div class="main">
{_sidebar(site, columns or [])}
<div class="right"><div class="position">当前位置：首页 &gt; 政务公开 &gt; {_esc(column)}</div>
<ul class="list">
{_items(items)}
</ul>
{extra}
<div class="page">{pager}</div>
</div></div>
{_footer(site)}
</body>
</html>
"""


def hanweb_column(
    site: SiteInfo,
    column: str,
    column_id: int,
    records: list[Item],
    total: int,
    per_page: int,
    group: int,
    columns: list,
) -> str:
    """A Hanweb column page: the first records as datastore XML in a script, paged by jpage."""
    unit = column_id + 4000
    proxy = f"{site.base}/module/web/jpage/dataproxy.jsp"
    query = (
        f"page=1&appid=1&webid=3&path=/&columnid={column_id}&unitid={unit}&webname=replica&permissiontype=0"
    )
    return f"""{_head(site, f"{column}_{site.name}", f'<meta name="ColumnName" content="{_attr(column)}">')}
<body>
{_header(site)}
<div class="main">
{_sidebar(site, columns)}
<div class="right"><div class="position">当前位置：首页 &gt; {_esc(column)}</div>
<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{proxy}?{query}"></a>]]></nextgroup>
<recordset>
{hanweb_records(records)}
</recordset></datastore></script></div>
<script language="javascript" src="{site.base}/module/jslib/jquery/jpage/jquery.jpage.js"></script>
<script>$(document).ready(function() {{ $("#{unit}").jpage({{ dataStore: dataStore, perPage: {per_page},
 groupSize: {group}, totalRecord: {total}, proxyUrl: "{proxy}", barPosition: "bottom" }}); }});</script>
</div></div>
{_footer(site)}
</body>
</html>
"""


def hanweb_records(records: list[Item]) -> str:
    return "\n".join(
        f"<record><![CDATA[<li>{r.anchor()}<span>{r.date}</span></li>]]></record>" for r in records
    )


def dataproxy_xml(records: list[Item], total: int, per_page: int) -> str:
    pages = (total + per_page - 1) // per_page
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<datastore><totalrecord>{total}</totalrecord><totalpage>{pages}</totalpage><recordset>
{hanweb_records(records)}
</recordset></datastore>"""


def _meta_tags(d: Detail) -> str:
    return f"""<meta name="ColumnName" content="{_attr(d.column)}">
<meta name="ArticleTitle" content="{_attr(d.title)}">
<meta name="PubDate" content="{d.date} {d.time}">
<meta name="ContentSource" content="{_attr(d.publisher)}">"""


def _metadata_table(d: Detail) -> str:
    return f"""<table class="xxgk_table" border="1" cellspacing="0" cellpadding="4">
<tr><th>索 引 号</th><td>{_esc(d.index_no)}</td><th>主题分类</th><td>{_esc(d.column)}</td></tr>
<tr><th>发布机构</th><td>{_esc(d.publisher)}</td><th>发布日期</th><td>{d.date}</td></tr>
<tr><th>名　　称</th><td colspan="3">{_esc(d.title)}</td></tr>
<tr><th>文　　号</th><td></td><th>有 效 性</th><td>有效</td></tr>
</table>"""


def _attachments(d: Detail) -> str:
    if not d.attachments:
        return ""
    links = "".join(f'<li><a href="{_attr(href)}">{_esc(text)}</a></li>' for href, text in d.attachments)
    return f'<div class="fj"><p>附件：</p><ul>{links}</ul></div>'


# Where each family puts the body and the metadata (one template, family-specific wrappers).
_BODY_WRAPPERS = {
    "trs": ('<div class="TRS_Editor">', "</div>"),
    "hanweb": ('<div id="zoom">', "</div>"),
    "vsb": ('<form name="_newscontent_fromname"><div class="v_news_content">', "</div></form>"),
    "empire": ('<div id="text">', "</div>"),
    "generic": ('<div class="article-content">', "</div>"),
    "epoint": ('<div class="ewb-article-info" id="info_spnContent">', "</div>"),
}


def detail_page(family: str, site: SiteInfo, d: Detail, *, comment: str = "") -> str:
    """A detail page of `family` around a report body."""
    start, end = _BODY_WRAPPERS[family]
    if family == "empire":  # one line of "label:value" runs instead of a metadata table
        runs = f"发布者:{_esc(d.publisher)} 发布日期:{d.date} {d.time}:00 浏览次数:{len(d.title) * 37}"
        info = f'<div class="info">{runs}</div>'
    else:
        info = (
            _metadata_table(d)
            + f'<div class="info">发布时间：{d.date} {d.time}　来源：{_esc(d.publisher)}</div>'
        )
    return f"""{comment}{_head(site, f"{d.title}_{site.name}", _meta_tags(d))}
<body>
{_header(site)}
<div class="main"><div class="position">当前位置：首页 &gt; 政务公开 &gt; {_esc(d.column)}</div>
{info}
<h2 class="title">{_esc(d.title)}</h2>
{start}
{d.body}
{end}
{_attachments(d)}
<div class="print"><a href="javascript:window.print()">【打印本页】</a></div>
</div>
{_footer(site)}
</body>
</html>
"""


def epoint_shell(site: SiteInfo, d: Detail, site_guid: str, project: str) -> str:
    """An Epoint WebBuilder detail page: its body element empty, filled by `getGovInfoDetail`."""
    script = (
        f'<script>var siteInfo = {{siteGuid: "{site_guid}", projectName: "{project}"}};</script>\n'
        f'<script src="{project}/js/webBuilderCommon.js"></script>\n'
    )
    return detail_page("epoint", site, d).replace("</head>", script + "</head>", 1)


def spa_shell(site: SiteInfo, title: str) -> str:
    """A single-page app's HTML: nothing but the mount point and the scripts that fill it."""
    b = site.base
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_esc(title)}</title>
<link href="{b}/js/chunk-vendors.js" rel="preload" as="script"></head>
<body><noscript>请启用JavaScript后访问</noscript><div id="app"></div>
<script src="{b}/js/chunk-vendors.js"></script><script src="{b}/js/app.js"></script></body></html>
"""


def challenge_page() -> str:
    """What a JS cookie challenge (WAF) serves with status 200 until a script has set a cookie."""
    return """<html><head><meta charset="utf-8"><title>安全验证</title></head><body>
<script>var _0x2f=["__jsl_clearance=1732848000.123|0|abc","cookie"];document[_0x2f[1]]=_0x2f[0];
location.href=location.pathname+location.search;</script>
<noscript>请开启JavaScript后访问</noscript></body></html>
"""


def plain_page(site: SiteInfo, title: str, body: str) -> str:
    return f"""{_head(site, title)}
<body>
{_header(site)}
<div class="main"><h2>{_esc(title)}</h2>{body}</div>
{_footer(site)}
</body>
</html>
"""
