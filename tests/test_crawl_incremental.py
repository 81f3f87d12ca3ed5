"""The incremental night: what an unchanged site costs, tree columns (sub-columns) included.

Counts come from the replica's request log; the replica answers conditional requests with 304.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_crawl_e2e import N_REPORTS, Run

from pipeline.replica import Replica, start_replica
from pipeline.replica.layout import Resource

# Sites whose report column is a tree: year sub-columns (TRS), sibling columns (Hanweb), agency-type
# sub-columns (generic).
TREE_SITES = ("trs", "hanweb", "generic")


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    started = start_replica(seed=0, n_reports_per_site=N_REPORTS, workdir=tmp_path_factory.mktemp("replica"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def out(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    Run(replica, folder, NIANBAO_PARSE_WORKERS=1)  # the first night fetches everything
    return folder


def requests_per_site(run: Run) -> Counter[str]:
    """Requests of a run by site (the replica serves each site under /<family>/), robots.txt
    apart: it is one per host, not per site."""
    return Counter(e.path.split("/")[1] for e in run.log if e.path != "/robots.txt")


def test_an_unchanged_night_costs_at_most_two_requests_per_site(replica: Replica, out: Path) -> None:
    night = Run(replica, out, NIANBAO_PARSE_WORKERS=1)
    per_site = requests_per_site(night)
    families = {url.split("/")[1] for entry in replica.layout.registry for url in entry["start_urls"]}
    assert set(per_site) == families  # every site is asked …
    assert max(per_site.values()) <= 2, per_site  # … at most twice
    assert {site: per_site[site] for site in TREE_SITES} == dict.fromkeys(TREE_SITES, 2)  # root + newest
    assert night.summary["totals"]["documents"] == 0


def test_a_new_report_in_the_newest_sub_column_is_found_the_next_night(replica: Replica, out: Path) -> None:
    routes = replica.layout.routes
    year_list = "/trs/zfxxgknb/2024n/index.html"
    new_page = "/trs/zfxxgknb/2024n/202603/t20260301_1.html"
    existing = next(p for p in routes if p.startswith("/trs/zfxxgknb/2020n/2") and p.endswith(".html"))
    saved = routes[year_list]
    title = "宿迁市人民政府2025年政府信息公开工作年度报告".encode()
    link = b'<li><a href="./202603/t20260301_1.html" title="' + title + b'">' + title + b"</a></li>"
    body = saved.body.replace(b'<ul class="list">\n', b'<ul class="list">\n' + link + b"\n", 1)
    assert body != saved.body
    try:
        routes[year_list] = Resource(body, saved.content_type)
        routes[new_page] = routes[existing]  # a new address (the bytes do not matter here)
        night = Run(replica, out, NIANBAO_PARSE_WORKERS=1)
    finally:
        routes[year_list] = saved
        routes.pop(new_page, None)
    assert [e.status for e in night.log if e.path == new_page] == [200]
    assert night.summary["sites"]["replica-trs"]["new"] == 1
    # The root (304), the changed year list, its next page (the first had something new: 304,
    # nothing new, the list ends there) and the new report.
    assert requests_per_site(night)["trs"] == 4
