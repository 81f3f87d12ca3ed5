"""HTML renderings of a report: clean markup, Word-exported HTML, split tables and a full CMS page.

Styles (domain-notes §4, §6):
- ``canonical``: one plain table per section with the exact spans of §1.2–1.4;
- ``word``: Word's "save as web page" (MsoNormal paragraphs, one-character runs, ``<o:p>``,
  ``<font face="Times New Roman">`` around digits, ``&nbsp;`` in blank cells), GB2312 declared;
- ``split``: table 三 broken across a page with its 3 header rows repeated;
- ``per_item``: table 二 as one small table per 第二十条 item;
- ``portal``: the report inside a government CMS detail page (nav, breadcrumb, 公开目录 metadata
  table, sidebar with dated links, footer with 网站标识码).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from .document import (
    HEADING,
    PAGE_BREAK,
    PARA,
    SIGN,
    SUBHEADING,
    TABLE,
    TITLE,
    Block,
    build_document,
    default_rng,
    site_name,
    split_document_table,
)
from .tables import DATA, Cell, Table, layout, split_table, table_2_items
from .truth import DEPARTMENTS, GroundTruth

STYLES = ("canonical", "word", "split", "per_item", "portal")
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb2312", "gb2312-undeclared")


def _esc(text: str) -> str:
    return escape(text, quote=False)


def _attr(text: str) -> str:
    return escape(text, quote=True)


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------


def charset_meta(encoding: str, *, word: bool = False) -> str:
    """The declaration of `encoding` in the page head ("" when the page declares none)."""
    if encoding == "gb2312-undeclared":
        return ""
    charset = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
    if word or encoding == "gb2312":
        return f'<meta http-equiv=Content-Type content="text/html; charset={charset}">'
    return f'<meta charset="{charset}">'


def encode_page(page: str, encoding: str) -> bytes:
    """Bytes of a page: GBK-family pages are written with gb18030, as the browsers read them."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    if encoding in ("utf-8", "utf-8-sig"):
        return page.encode(encoding)
    return page.encode("gb18030")


# --------------------------------------------------------------------------------------------
# Clean markup
# --------------------------------------------------------------------------------------------


def _span_attrs(cell: Cell) -> str:
    out = ""
    if cell.colspan > 1:
        out += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        out += f' rowspan="{cell.rowspan}"'
    return out


def canonical_table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = "".join(
            f"<td{_span_attrs(c)}>{'<br>'.join(_esc(line) for line in c.text.split(chr(10)))}</td>"
            for c in row
        )
        rows.append(f"<tr>{cells}</tr>")
    body = "\n".join(rows)
    attrs = 'border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse"'
    return f"<table {attrs}>\n{body}\n</table>"


def canonical_body(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        text = _esc(b.text)
        if b.kind == TITLE:
            out.append(f"<h1>{text.replace(chr(10), '<br>')}</h1>")
        elif b.kind == HEADING:
            out.append(f"<h2>{text}</h2>")
        elif b.kind == SUBHEADING:
            out.append(f"<h3>{text}</h3>")
        elif b.kind == PARA:
            out.append(f"<p>{text}</p>")
        elif b.kind == SIGN:
            out.append(f'<p style="text-align:right">{text}</p>')
        elif b.kind == PAGE_BREAK:
            out.append('<div style="page-break-after:always"></div>')
        elif b.kind == TABLE and b.table is not None:
            out.append(canonical_table(b.table))
    return "\n".join(out)


def _plain_page(title: str, body: str, meta: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{meta}\n<title>{_esc(title)}</title>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------------------------
# Word-exported HTML
# --------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9０-９][0-9０-９.,]*")
_FANGSONG = (
    'font-family:仿宋_GB2312;mso-ascii-font-family:"Times New Roman";mso-hansi-font-family:"Times New Roman"'
)


def _pieces(text: str, mode: str, rng: random.Random) -> list[str]:
    """Word's runs: the whole text, chunks, or one character each (quirk 1)."""
    if not text:
        return []
    if mode == "whole" or len(text) < 2:
        return [text]
    if mode == "char":
        return list(text)
    out, i = [], 0
    while i < len(text):
        n = rng.randint(1, 4)
        out.append(text[i : i + n])
        i += n
    return out


def word_runs(text: str, rng: random.Random, *, mode: str, font: str = _FANGSONG, size: str = "") -> str:
    """Text as Word's spans; digits in their own Times New Roman run (quirk 16)."""
    style = f"{size}{font}"
    out, pos = [], 0
    for m in [*_DIGITS.finditer(text), None]:
        end = m.start() if m else len(text)
        for piece in _pieces(text[pos:end], mode, rng):
            out.append(f"<span style='{style}'>{_esc(piece)}</span>")
        if m:
            out.append(
                f"<span lang=EN-US style='{size}font-family:\"Times New Roman\",serif'>"
                f'<font face="Times New Roman">{_esc(m.group())}</font></span>'
            )
            pos = m.end()
    return "".join(out)


_EMPTY_P = (
    "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US>&nbsp;<o:p></o:p></span></p>"
)


def _word_cell(cell: Cell, width_pt: float, rng: random.Random, *, br: bool, mode: str) -> str:
    attrs = f"width={round(width_pt * 4 / 3)}{_span_attrs(cell).replace(chr(34), '')} valign=center"
    style = (
        f"width:{width_pt:.1f}pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;"
        "padding:0cm 5.4pt 0cm 5.4pt"
    )
    lines = cell.text.split("\n") if cell.text else []
    paragraphs = [_EMPTY_P] * cell.lead_blank
    if not lines:
        paragraphs.append(_EMPTY_P)
    elif br:
        runs = "<br>".join(word_runs(line, rng, mode=mode) for line in lines)
        paragraphs.append(f"<p class=MsoNormal align=center style='text-align:center'>{runs}<o:p></o:p></p>")
    else:
        paragraphs += [
            f"<p class=MsoNormal align=center style='text-align:center'>{word_runs(line, rng, mode=mode)}"
            "<o:p></o:p></p>"
            for line in lines
        ]
    return f"<td {attrs} style='{style}'>\n" + "\n".join(paragraphs) + "\n</td>"


def word_table(table: Table, rng: random.Random) -> str:
    pt = [w / 2.54 * 72 for w in table.widths]
    br = rng.random() < 0.5  # "商业<br>企业" or two paragraphs (quirk 2)
    grid = layout(table)
    rows = []
    for r, row in enumerate(table.rows):
        starts = [c for c, slot in enumerate(grid[r]) if slot.row == r and slot.col == c]
        cells = []
        for col, cell in zip(starts, row, strict=True):
            mode = (
                "whole"
                if cell.kind == DATA
                else rng.choices(("whole", "chunks", "char"), weights=(4, 3, 3))[0]
            )
            cells.append(_word_cell(cell, sum(pt[col : col + cell.colspan]), rng, br=br, mode=mode))
        rows.append(f"<tr style='mso-yfti-irow:{r};height:20.0pt'>\n" + "\n".join(cells) + "\n</tr>")
    total = sum(pt)
    return (
        f"<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width={round(total * 4 / 3)} "
        f"style='width:{total:.1f}pt;border-collapse:collapse;border:none;"
        "mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;"
        "mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n" + "\n".join(rows) + "\n</table>"
    )


def word_body(blocks: list[Block], rng: random.Random) -> str:
    out = []
    for b in blocks:
        if b.kind == TITLE:
            runs = "<br>".join(
                word_runs(
                    line, rng, mode="whole", font="font-family:方正小标宋简体", size="font-size:22.0pt;"
                )
                for line in b.text.split("\n")
            )
            out.append(
                f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'><b>{runs}</b>"
                "<span lang=EN-US><o:p></o:p></span></p>"
            )
        elif b.kind in (HEADING, SUBHEADING, PARA):
            font = {HEADING: "font-family:黑体", SUBHEADING: "font-family:楷体_GB2312"}.get(b.kind, _FANGSONG)
            mark = '<a name="_GoBack"></a>' if b.bookmark else ""
            runs = word_runs(
                b.text,
                rng,
                mode="chunks" if rng.random() < 0.2 else "whole",
                font=font,
                size="font-size:16.0pt;",
            )
            out.append(
                f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{mark}{runs}"
                "<span lang=EN-US><o:p></o:p></span></p>"
            )
        elif b.kind == SIGN:
            out.append(
                f"<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt'>"
                f"{word_runs(b.text, rng, mode='whole', size='font-size:16.0pt;')}<o:p></o:p></p>"
            )
        elif b.kind == PAGE_BREAK:
            out.append(
                "<span lang=EN-US style='font-size:16.0pt'><br clear=all style='page-break-before:always'>"
                "</span>"
            )
        elif b.kind == TABLE and b.table is not None:
            out.append(word_table(b.table, rng))
            out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    return "\n".join(out)


def _word_page(title: str, body: str, meta: str, created: str) -> str:
    return f"""<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
{meta}
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{_esc(title)}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Administrator</o:Author>
  <o:Created>{created}T01:23:00Z</o:Created>
  <o:Pages>6</o:Pages>
 </o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face {{font-family:仿宋_GB2312; panose-1:2 1 6 9 3 1 1 1 1 1;}}
 @font-face {{font-family:黑体; panose-1:2 1 6 9 6 1 1 1 1 1;}}
p.MsoNormal, li.MsoNormal, div.MsoNormal {{margin:0cm; margin-bottom:.0001pt; text-align:justify;
  text-justify:inter-ideograph; font-size:10.5pt; font-family:"Times New Roman",serif;}}
@page WordSection1 {{size:595.3pt 841.9pt; margin:72.0pt 90.0pt 72.0pt 90.0pt;}}
div.WordSection1 {{page:WordSection1;}}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>
{body}
</div>

</body>

</html>
"""


# --------------------------------------------------------------------------------------------
# CMS detail page
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalSite:
    name: str  # site title, e.g. 佳木斯市前进区人民政府
    host: str
    site_id: str  # 网站标识码
    place: str


def portal_site(gt: GroundTruth) -> PortalSite:
    return PortalSite(site_name(gt).removesuffix("门户网站"), gt.host, gt.site_id, gt.place)


_WEEKDAYS = "一二三四五六日"


def _index_number(rng: random.Random, year: int) -> str:
    """索引号 = organisation code / year-serial (§4.4)."""
    org = rng.choice(
        (
            f"{rng.randint(0, 99999999):09d}",
            f"K{rng.randint(10000000, 99999999)}",
            f"11{rng.randint(100000, 999999)}{rng.randint(10**8, 10**9 - 1)}{rng.choice('0123456789X')}",
        )
    )
    return f"{org}/{year}-{rng.randint(1, 999):05d}"


def portal_page(
    site: PortalSite,
    *,
    title: str,
    publisher: str,
    pub_date: str,
    column: str,
    body: str,
    related: list[tuple[str, str]],
    meta: str,
    rng: random.Random,
) -> str:
    """A government CMS detail page around `body`; `related` are (title, date) sidebar links."""
    d = date.fromisoformat(pub_date)
    # Page chrome often shows a stale server-side date (quirk 24).
    stale = d - timedelta(days=rng.randint(300, 2500))
    stale_text = f"{stale.year}年{stale.month}月{stale.day}日 星期{_WEEKDAYS[stale.weekday()]}"
    time = f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    links = "\n".join(
        f'<li><a href="/zwgk/{rng.randint(100000, 999999)}.html" target="_blank" title="{_attr(t)}">'
        f"{_esc(t)}</a><span>{when} ({rng.randint(20, 3000)})</span></li>"
        for t, when in related
    )
    views = rng.randint(30, 5000)
    dtd = '"-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"'
    return f"""<!DOCTYPE html PUBLIC {dtd}>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}
<title>{_esc(title)}_{_esc(site.name)}</title>
<meta name="SiteName" content="{_attr(site.name)}">
<meta name="SiteDomain" content="{site.host}">
<meta name="SiteIDCode" content="{site.site_id}">
<meta name="ColumnName" content="{_attr(column)}">
<meta name="ColumnType" content="{_attr(column)}">
<meta name="ArticleTitle" content="{_attr(title)}">
<meta name="PubDate" content="{pub_date} {time}">
<meta name="ContentSource" content="{_attr(publisher)}">
<meta name="Keywords" content="{_attr(column)}">
<link rel="stylesheet" type="text/css" href="/css/common.css">
<script type="text/javascript" src="/js/jquery-1.11.3.min.js"></script>
</head>
<body>
<div class="topbar"><div class="w1200"><span class="today">{stale_text}</span>
<a href="javascript:;" id="wza">无障碍浏览</a> | <a href="javascript:;" id="elder">长者模式</a> |
<a href="/wap/">手机版</a></div></div>
<div class="header"><div class="w1200">
<a href="/" class="logo"><img src="/images/logo.png" alt="{_attr(site.name)}"></a>
<form action="/search4/s" method="get"><input type="text" name="searchWord" placeholder="请输入关键字">
<input type="hidden" name="siteCode" value="{site.site_id}"><button type="submit">搜索</button></form>
</div></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/zjxx/">走进{_esc(site.place)}</a></li>
<li class="on"><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/ztzl/">专题专栏</a></li>
</ul></div>
<table width="1200" align="center" border="0" cellpadding="0" cellspacing="0" class="layout">
<tr>
<td width="260" valign="top" class="left">
<div class="box"><h3>政府信息公开</h3><ul>
<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="/zwgk/zfxxgkzd/">政府信息公开制度</a></li>
<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>
<li class="on"><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></li>
</ul></div>
<div class="box"><h3>相关文章</h3><ul class="list">
{links}
</ul></div>
</td>
<td width="20"></td>
<td valign="top" class="main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/zfxxgk/">政府信息公开</a> &gt; <span>{_esc(column)}</span></div>
<table class="xxgk_table" width="100%" border="1" cellspacing="0" cellpadding="5">
<tr><th>索 引 号</th><td>{_index_number(rng, d.year)}</td><th>主题分类</th><td>{_esc(column)}</td></tr>
<tr><th>发布机构</th><td>{_esc(publisher)}</td><th>发布日期</th><td>{pub_date}</td></tr>
<tr><th>名　　称</th><td colspan="3">{_esc(title)}</td></tr>
<tr><th>文　　号</th><td></td><th>有 效 性</th><td>有效</td></tr>
</table>
<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td>
<h1 class="article-title">{_esc(title)}</h1>
<div class="article-info">发布时间：{pub_date} {time}　来源：{_esc(publisher)}
　浏览次数：<span id="hits">{views}</span>　【字体：<a href="javascript:doZoom(18)">大</a>
<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div>
<div class="TRS_Editor" id="zoom">
{body}
</div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a>
<a href="javascript:window.close()">【关闭窗口】</a></div>
</td></tr></table>
</td>
</tr>
</table>
<div class="footer"><div class="w1200">
<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/yssm/">隐私声明</a></p>
<p>主办单位：{_esc(site.name)}办公室　承办单位：{_esc(site.place)}政务服务和大数据管理局</p>
<p>网站标识码：{site.site_id}
　<a href="https://beian.miit.gov.cn/" target="_blank">ICP备{rng.randint(10**7, 10**8 - 1)}号-1</a>
　公网安备 {site.site_id}{rng.randint(10, 99)}号</p>
</div></div>
<script type="text/javascript">var siteId = "{site.site_id}";
$(function(){{ $("#hits").load("/api/hits?id={views}"); }});</script>
</body>
</html>
"""


def related_reports(gt: GroundTruth, rng: random.Random) -> list[tuple[str, str]]:
    """Sidebar links: the agency's earlier reports and its neighbours' reports of the same year."""
    links = []
    for y in range(gt.year - 1, gt.year - rng.randint(2, 4), -1):
        links.append((f"{gt.agency}{y}年政府信息公开工作年度报告", f"{y + 1}-01-{rng.randint(10, 31):02d}"))
    for dept in rng.sample(DEPARTMENTS, 4):
        links.append(
            (
                f"{gt.place}{dept}{gt.year}年政府信息公开工作年度报告",
                f"{gt.year + 1}-01-{rng.randint(5, 31):02d}",
            )
        )
    rng.shuffle(links)
    return links


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def render_html(
    gt: GroundTruth,
    *,
    style: str = "canonical",
    encoding: str | None = None,
    rng: random.Random | None = None,
) -> bytes:
    """The report as an HTML page. `encoding` defaults to gb2312 for ``word`` (Word's export) and
    utf-8 otherwise; "gb2312-undeclared" writes GBK bytes with no charset anywhere."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    rng = rng or default_rng(gt)
    encoding = encoding or ("gb2312" if style == "word" else "utf-8")
    meta = charset_meta(encoding, word=style == "word")
    if style == "word":
        blocks = build_document(gt, rng, quirks=True)
        page = _word_page(gt.title, word_body(blocks, rng), meta, gt.published_date)
    elif style == "portal":
        blocks = build_document(gt, rng, quirks=rng.random() < 0.5)
        if rng.random() < 0.6:
            blocks = [b for b in blocks if b.kind != TITLE]  # the CMS shows the title above the body
        body = word_body(blocks, rng) if rng.random() < 0.5 else canonical_body(blocks)
        page = portal_page(
            portal_site(gt),
            title=gt.title,
            publisher=gt.agency_full if rng.random() < 0.5 else gt.agency,
            pub_date=gt.published_date,
            column="政府信息公开年报",
            body=body,
            related=related_reports(gt, rng),
            meta=meta,
            rng=rng,
        )
    else:
        blocks = build_document(gt, rng, quirks=False)
        if style == "split":

            def split(t: Table) -> list[Table]:  # before a data row of table 三, 1+ rows each side
                return list(split_table(t, rng.randint(7, len(t.rows) - 3), repeat_header=True))

            blocks = split_document_table(blocks, "三", split, page_breaks=True)
        elif style == "per_item":
            blocks = split_document_table(blocks, "二", table_2_items, page_breaks=False)
        page = _plain_page(gt.title, canonical_body(blocks), meta)
    return encode_page(page, encoding)
