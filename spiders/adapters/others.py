"""Families whose lists are plain HTML with next-page links: only their URL shapes and markers differ."""

from __future__ import annotations

import re

from spiders.adapters.base import Adapter


class VsbAdapter(Adapter):
    """博达 VSB: details `/info/1050/64208.htm`; list `xxgknb.htm`, then `xxgknb/N.htm` (numbered
    downwards, so the 下页 link is followed rather than counted)."""

    name = "vsb"
    detail_pattern = re.compile(r"/info/\d+/\d+\.htm$")
    markers = (b"Visual SiteBuilder", b"vsbscreen", b"_sitegray")
    content_css = ".v_news_content, #vsb_content, .vsbcontent_start, form[name=_newscontent_fromname]"


class EmpireAdapter(Adapter):
    """帝国CMS: `/e/action/ShowInfo.php?classid=…&id=…` details, `ListInfo` lists (often GBK)."""

    name = "empire"
    detail_pattern = re.compile(r"/e/action/ShowInfo\.php$|/\d{4}-?\d{2}-?\d{2}/\d+\.html$")
    markers = (b"/e/action/", b"EmpireCMS")
    content_css = "#text, .infocontent, .content, #content"

    def is_detail_url(self, url: str) -> bool:
        # ShowInfo.php is told apart by its query (classid + id), which the path pattern cannot see.
        return super().is_detail_url(url) or ("ShowInfo.php" in url and "id=" in url)


class KaipuyunAdapter(Adapter):
    """开普云-style 集约化 platforms: `/<site>/c<col>/YYYYMM/<32 hex>.shtml` (or `c04_<id>.shtml`)."""

    name = "kaipuyun"
    detail_pattern = re.compile(r"/\d{6}/([0-9a-f]{32}|c0\d_\d+)\.shtml$")
    markers = (b"ucapcontent", b"ucaptitle", b"<publishtime>")
    content_css = "ucapcontent, #ucapcontent, .ucapcontent, #zoom"


class GuangdongAdapter(Adapter):
    """Guangdong 集约化: details `…/content/post_<id>.html`, lists `index.html`, `index_2.html` …"""

    name = "gdcms"
    detail_pattern = re.compile(r"/content/post_\d+\.html$")
    markers = (b"/content/post_",)
    content_css = ".article-content, .zw, #zoom, .content"

