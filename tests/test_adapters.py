"""Every CMS-family adapter against saved pages of its family (tests/fixtures/sites/<family>/).

A page and the JSON beside it: what the page is (URL, how it was requested) and what must be read
from it. See tests/fixtures/sites/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from pipeline.crawl.urls import canonical_url
from pipeline.registry import CMS_FAMILIES, SiteEntry
from spiders.adapters import ADAPTERS, detect
from spiders.base import SiteProgress, decide, decoded_response
from spiders.detail import find_attachments

SITES = Path(__file__).parent / "fixtures" / "sites"
PAGES = sorted(p for p in SITES.glob("*/*") if p.suffix != ".json" and p.with_suffix(".json").exists())


def load(page: Path) -> tuple[TextResponse, dict[str, Any]]:
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    headers = Headers({"Content-Type": expected["content_type"]} if "content_type" in expected else {})
    body = page.read_bytes()
    response = responsetypes.from_args(headers=headers, url=expected["url"], body=body)(
        url=expected["url"], headers=headers, body=body
    )
    assert isinstance(response, TextResponse)
    return decoded_response(response, None), expected


def read_list(response: TextResponse, expected: dict[str, Any]) -> dict[str, Any]:
    adapter = ADAPTERS[expected["cms"]] if expected.get("cms") else detect(response)
    entry = SiteEntry(id="fixture", agency="fixture", start_urls=(expected.get("start", expected["url"]),))
    site = SiteProgress(entry, adapter)
    reports: dict[str, str] = {}
    columns: list[str] = []
    for link in adapter.list_links(response):
        decision, _ = decide(site, adapter, link, hops=0, max_hops=3)
        url = canonical_url(link.url)
        if decision == "report":
            reports.setdefault(url, link.title)
        elif decision == "column" and url not in columns:
            columns.append(url)
    pages = adapter.next_pages(response, expected.get("state", {}))
    return {
        "family": adapter.name,
        "reports": [[url, title] for url, title in reports.items()],
        "columns": columns,
        "next": [{"url": p.url, "method": p.method, "form": p.formdata} for p in pages],
    }


def read_detail(response: TextResponse, expected: dict[str, Any]) -> dict[str, Any]:
    adapter = ADAPTERS[expected["family"]]
    content = adapter.content(response)
    attachments = find_attachments(response, content)
    read: dict[str, Any] = {
        "family": adapter.name,
        "fields": adapter.detail_fields(response, content),
        "attachments": [[canonical_url(a.url), a.title] for a in attachments],
    }
    sources = adapter.detail_sources(response)  # only script-filled pages have any
    if sources:
        read["sources"] = [{"url": s.url, "method": s.method, "form": s.formdata} for s in sources]
    return read


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_adapter_reads_the_saved_page(page: Path) -> None:
    response, expected = load(page)
    read = read_list(response, expected) if expected["kind"] == "list" else read_detail(response, expected)
    assert read == {key: expected[key] for key in read}


def test_every_family_has_saved_pages() -> None:
    families = {page.parent.name for page in PAGES}
    assert families == set(ADAPTERS)


def test_the_registry_names_exactly_the_adapters_families() -> None:
    assert set(ADAPTERS) == CMS_FAMILIES
