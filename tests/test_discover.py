"""`nianbao discover`: every report column of each replica portal is found, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pipeline.crawl.runner import POLITENESS_OFF
from pipeline.discover import COLUMN, NAV, UNIT, agency_of_title, leads, page_links
from pipeline.registry import load_registry
from pipeline.replica import Replica, start_replica


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    replica = start_replica(seed=3, n_reports_per_site=2)
    yield replica
    replica.stop()


def _discover(replica: Replica, start: str, tmp_path: Path, registry: list[dict]) -> tuple[list[dict], str]:
    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    settings = [
        a for k, v in {**POLITENESS_OFF, "LOG_LEVEL": "WARNING"}.items() for a in ("--set", f"{k}={v}")
    ]
    out = tmp_path / "found.yaml"
    command = [sys.executable, "-m", "pipeline.cli", "discover", replica.url + start, "--sites", str(sites)]
    command += ["--allow-host", replica.host, "--out", str(out), *settings]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(out.read_text(encoding="utf-8")) or [], done.stderr


@pytest.mark.parametrize("name", ["province", "city", "menu"])
def test_discovery_finds_every_column_of_a_portal_and_nothing_else(
    replica: Replica, tmp_path: Path, name: str
) -> None:
    portal = replica.portals[name]
    registry = [
        {"id": f"known-{i}", "agency": c.agency, "start_urls": [replica.url + c.path]}
        for i, c in enumerate(portal.registered)
    ]
    replica.clear_log()
    found, stderr = _discover(replica, portal.start, tmp_path, registry)

    by_url = {e["start_urls"][0].removeprefix(replica.url): e for e in found}
    assert set(by_url) == {c.path for c in portal.columns}
    for column in portal.columns:
        entry = by_url[column.path]
        assert (entry["agency"], entry.get("level"), entry.get("region_code")) == (
            column.agency,
            column.level,
            column.region_code,
        )
        assert entry["evidence"] == replica.url + column.evidence
        assert entry["verified"] is False and entry["cms"]
    assert len({e["id"] for e in found}) == len(found)
    assert f"{len(portal.registered)} already in the registry" in stderr
    # Scope: nothing outside the portal's own sites was requested, robots.txt was asked first.
    paths = [entry.path for entry in replica.log]
    site_prefix = (
        "/" + portal.start.split("/")[1]
    )  # /portal-prov also covers its departments' /portal-prov-fgw
    assert paths[0] == "/robots.txt"
    assert all(p == "/robots.txt" or p.startswith(site_prefix) for p in paths)


def test_found_entries_load_as_a_registry(replica: Replica, tmp_path: Path) -> None:
    city = replica.portals["city"]
    found, _ = _discover(replica, city.start, tmp_path, [])
    sites = tmp_path / "candidates.yaml"
    sites.write_text(yaml.safe_dump(found, allow_unicode=True), encoding="utf-8")
    loaded = load_registry(sites, allow_hosts=[replica.host])
    assert len(loaded) == len(city.columns) + len(city.registered)


def test_links_in_script_menus_and_their_roles() -> None:
    html = """<html><body><a href="/zwgk/">政务公开</a><a href="/zn/">政府信息公开指南</a>
    <a href="/bm/fgw/">市发展和改革委员会</a><a href="/nb/2023.html">2023年政府信息公开工作年度报告</a>
    <script>var m=[{"name":"政府信息公开年报","url":"/gk/nb/"}];
    document.write('<a href="/gk/jd/">街道信息公开</a>');</script></body></html>"""
    roles = {lead.url: lead.role for lead in leads(page_links(html, "http://x.gov.cn/"))}
    assert roles == {
        "http://x.gov.cn/zwgk/": NAV,
        "http://x.gov.cn/bm/fgw/": UNIT,
        "http://x.gov.cn/gk/nb/": COLUMN,
        "http://x.gov.cn/gk/jd/": NAV,
    }


def test_the_agency_is_what_a_report_title_prints_before_its_year() -> None:
    assert agency_of_title("佳木斯市公安局2024年政府信息公开工作年度报告") == "佳木斯市公安局"
    assert agency_of_title("关于2023年度政府信息公开工作的报告") == ""
    assert agency_of_title("某县人民政府（2022年）政府信息公开工作年度报告") == "某县人民政府"


def test_a_start_url_off_the_official_hosts_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "discover",
            "http://example.com/",
            "--sites",
            str(tmp_path / "none"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not an official URL" in done.stderr
