"""Finding report columns from government portals: what a page's links lead to, and what a found
column becomes in the registry. The fetching is the `discover` spider's (spiders/discover.py), with
the crawl's settings; this module decides from page text alone, so it is tested without a network.

How portals publish (domain-notes §4.1): the home page links 政务公开 / 政府信息公开; that page (or an
信息公开目录 tree) links the 政府信息公开年报 column and lists the agencies whose own 信息公开平台
sub-sites — departments, districts and counties, streets and towns — each have a 年报 column. Some
portals draw their menus from a script, so links inside scripts count too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

from parsel import Selector

from pipeline.agency import AgencyHints, resolve_agency
from pipeline.crawl.urls import canonical_url, directory_url, looks_like_column_index
from pipeline.numbers import squash
from pipeline.registry import SiteEntry
from spiders import titles

NAV = "nav"  # a page on the way to columns: 政务公开, 信息公开目录, a list of agencies
UNIT = "unit"  # an agency's own site or sub-platform
COLUMN = "column"  # a candidate 年报 column

# Words of links that lead towards report columns.
_NAV_WORDS = re.compile(
    r"政府信息公开|政务公开|信息公开|公开目录|公开平台|主动公开|政府部门|部门|区县|县区|县市区|县（市、区）|"
    r"县\(市、区\)|乡镇|街道|镇街|直属|市直|省直|区直|县直|委办局"
)
# Look-alike pages on the way that never lead to 年报 columns.
_NAV_EXCLUDED = re.compile(
    r"指南|制度|申请|意见|规定|办法|通知|公告|解读|新闻|动态|要闻|邮箱|留言|依申请|专题"
)
_COLUMN_WORDS = re.compile(r"年报|年度报告")
# An agency's name as a link: a place or a body (省发展和改革委员会, 前进区, 港湾街道, 市公安局).
_UNIT_END = re.compile(
    r"(人民政府|政府|办公室|办公厅|办事处|委员会|管委会|局|委|办|厅|中心|署|区|县|市|旗|盟|州|镇|乡|街道|苏木)$"
)
_MAX_UNIT_TITLE = 20
# 2024年…, 关于2024年度…: the agency is what a report title prints before its year.
_TITLE_YEAR = re.compile(r"(?:关于)?[（(]?(?:19|20)\d{2}\s*年")
# Script menus: {"name": "政府信息公开年报", "url": "/gk/nb/"} objects and <a href> inside strings.
_SCRIPT_ANCHOR = re.compile(r"""<a[^>]*?href\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>([^<]{1,40})</a>""", re.I)
_SCRIPT_PAIR = re.compile(
    r"""["']?(?:name|title|text|label)["']?\s*:\s*["']([^"']{1,40})["'][^{}\[\]]{0,200}?"""
    r"""["']?(?:url|href|link|path)["']?\s*:\s*["']([^"']+)["']""",
    re.I,
)


@dataclass(frozen=True)
class Lead:
    """A link worth following, and what it is expected to be."""

    url: str
    text: str
    role: str  # NAV | UNIT | COLUMN


@dataclass(frozen=True)
class FoundColumn:
    """A column with at least one report link in it."""

    url: str
    cms: str
    evidence: str  # the report link seen
    report_title: str
    agency_hint: str  # the link text or site name that led here (used when titles name no agency)
    portal: str  # the start URL it was found from


def page_links(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, text) of every link in a page, those of its scripts' menus included."""
    selector = Selector(text=html)
    links = []
    for a in selector.root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "mailto:", "#", "tel:")):
            text = " ".join(a.xpath("string()").split()) or (a.get("title") or "")
            links.append((urljoin(base_url, href), text))
    for script in selector.xpath("//script/text()").getall():
        for href, text in _SCRIPT_ANCHOR.findall(script):
            links.append((urljoin(base_url, href), text))
        for text, href in _SCRIPT_PAIR.findall(script):
            links.append((urljoin(base_url, _unescape_js(href)), _unescape_js(text)))
    return links


def _unescape_js(text: str) -> str:
    try:
        return str(json.loads(f'"{text}"'))
    except ValueError:
        return text


def leads(links: Iterable[tuple[str, str]]) -> list[Lead]:
    """The links of a page that may lead to report columns, each with its role."""
    out: dict[str, Lead] = {}
    for url, raw in links:
        text = squash(raw)
        role = _role(text)
        if role and canonical_url(url) not in out:
            out[canonical_url(url)] = Lead(url, text, role)
    return list(out.values())


def _role(text: str) -> str | None:
    if not text or len(text) > _MAX_UNIT_TITLE + 10:
        return None
    kind, _ = titles.classify(text)
    if kind == titles.REPORT or kind == titles.NOT_REPORT:
        return None
    if _COLUMN_WORDS.search(text) and not re.search(r"(19|20)\d{2}", text):
        return COLUMN
    if _NAV_WORDS.search(text) and not _NAV_EXCLUDED.search(text):
        return NAV
    if len(text) <= _MAX_UNIT_TITLE and _UNIT_END.search(text) and not _NAV_EXCLUDED.search(text):
        return UNIT
    return None


def report_links(links: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The links whose titles say they are annual reports (the crawl's own rule)."""
    return [(url, text) for url, text in links if titles.classify(text)[0] == titles.REPORT]


def sub_columns(links: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Year and agency-type sub-columns of a column (2024年, 部门年报), by the crawl's own rule."""
    return [(url, text) for url, text in links if titles.classify(text)[0] == titles.COLUMN]


def agency_of_title(title: str) -> str:
    """The agency a report title prints before its year ('' when it starts with the year)."""
    text = squash(title)
    match = _TITLE_YEAR.search(text)
    return text[: match.start()] if match else ""


def known_columns(entries: Iterable[SiteEntry]) -> set[str]:
    """Canonical start URLs of a registry, with the folder form of column index pages."""
    known = set()
    for entry in entries:
        for url in entry.start_urls:
            known.add(canonical_url(url))
            if looks_like_column_index(url):
                known.add(canonical_url(directory_url(url)))
    return known


def is_known(url: str, known: set[str]) -> bool:
    return canonical_url(url) in known or (
        looks_like_column_index(url) and canonical_url(directory_url(url)) in known
    )


def candidate_entries(found: Iterable[FoundColumn], taken_ids: Iterable[str] = ()) -> Iterator[dict]:
    """Registry entries (as YAML-ready mappings) for found columns, ids unique against `taken_ids`."""
    taken = set(taken_ids)
    for column in found:
        printed = agency_of_title(column.report_title) or column.agency_hint
        identity = resolve_agency(AgencyHints(title_agency=printed, agency_full=printed, url=column.url))
        agency_id = identity.agency_id if identity.resolved else identity.agency_id.replace("x-", "site-", 1)
        site_id, n = agency_id, 2
        while site_id in taken:
            site_id, n = f"{agency_id}-{n}", n + 1
        taken.add(site_id)
        entry: dict = {"id": site_id, "agency": printed}
        level = _level(identity.agency_type, identity.level)
        if level:
            entry["level"] = level
        if identity.region_code:
            entry["region_code"] = identity.region_code
        entry |= {
            "cms": column.cms,
            "start_urls": [column.url],
            "evidence": column.evidence,
            "verified": False,
            "notes": f"found by nianbao discover from {column.portal} on {date.today().isoformat()}",
        }
        yield entry


def _level(agency_type: str, region_level: str | None) -> str | None:
    """The registry level: a government (or its office) is its region's level; streets and towns are
    townships; development-zone committees carry none; every other body is a department."""
    if agency_type in ("gov", "gov_office"):
        return region_level if region_level in ("province", "city", "county") else None
    if agency_type in ("street", "town", "township"):
        return "township"
    if agency_type == "dev_zone":
        return None
    return "department"
