"""The run report pages from a hand-written report: escaping, empty nights, charts drawn from data."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipeline.runreport import html
from pipeline.runreport.charts import BAR_COLOUR, bar_chart, status_grid
from pipeline.runreport.html import render_index, render_run


def report(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "run_id": "20260301T180003Z-3f1c",
        "started_at": "s",
        "finished_at": "f",
        "finish_reason": "finished",
        "full": False,
        "exit_status": 1,
        "totals": {"reports_found": 3, "new": 1, "changed": 0},
        "sites_by_status": {"ok": 1, "failed": 1},
        "health_changes": [],
        "documents": [],
        "parse_failures": [],
        "rule_failures": [],
        "sites": [],
        "coverage": {"province": [], "level": []},
        "history": {"runs": [], "reports_found": [], "site_status": {}, "failures": {}},
    }
    return {**base, **changes}


def test_titles_and_errors_from_sites_are_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    document = {
        "change": "new",
        "agency": hostile,
        "url": 'http://www.a.gov.cn/"onmouseover="x',
        "report_title": hostile,
        "year": 2024,
        "parse_status": "failed",
        "archived": "archive/raw/ab/cd/abcd",
        "text": None,
        "error": hostile,
        "failed_checks": [{"rule": hostile, "detail": hostile}],
    }
    page = render_run(report(documents=[document], parse_failures=[document], rule_failures=[document]))
    assert "<script>" not in page
    assert '"onmouseover' not in page
    assert page.count("&lt;script&gt;") >= 5


def test_an_empty_night_says_so() -> None:
    page = render_run(report())
    assert "nothing new or changed tonight" in page and "no site changed health tonight" in page
    assert "no runs yet" in page
    assert 'exit status <span class="status">1</span>: completed, but some sites failed or degraded' in page
    assert "no runs yet" in render_index([])
    assert "no site failed in these runs" in status_grid({}, ["r1"], title="t")


def test_charts_draw_one_mark_per_value() -> None:
    bars = bar_chart([3, 0, 5], ["r1", "r2", "r3"], title="t")
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([\d.]+)"', bars)]
    assert len(heights) == 3 and heights[1] == 0 and heights[2] > heights[0] > 0
    assert bars.count(f'fill="{BAR_COLOUR}"') == 3
    grid = status_grid({"a": ["ok", "failed"], "b": [None, "degraded"]}, ["r1", "r2"], title="t")
    assert re.findall(r'class="cell (\w+)"', grid) == ["ok", "failed", "absent", "degraded"]
    assert "1 of 2 bad" in grid


def test_long_tables_are_cut_with_a_pointer_to_the_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "MAX_ROWS", 2)
    sites = [
        {
            "site_id": f"s{i}",
            "agency": "某区人民政府",
            "start_url": "",
            "status": "ok",
            "signals": [],
            "consecutive_failures": 0,
            "last_success": "",
            "reports_found": 1,
            "new": 0,
            "errors": {},
        }
        for i in range(5)
    ]
    page = html.render_run(report(sites=sites))
    assert ">s1<" in page and ">s2<" not in page
    assert "and 3 more rows: see report.json" in page
