"""The run report: what a night found and broke, for people to look at.

Per run, `OUT/runs/<run_id>/report.json` and `report.html` beside it, and `OUT/runs/index.html`
over every run. The JSON is built from the run summary, the parse cache, the site health and the
registry (`build_run_report`); the pages are rendered from the JSON alone (`pipeline.runreport.html`),
so a page can always be rebuilt from its report.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pipeline.archive import ParseCache, RawArchive, write_atomic
from pipeline.crawl.health import STATUS_OK, STATUS_ORDER, assess
from pipeline.crawl.state import StateStore
from pipeline.datasets.text import read_index
from pipeline.parse import PARSER_VERSION
from pipeline.regions import region
from pipeline.registry import SiteEntry
from pipeline.report import STATUS_FAILED as PARSE_FAILED

RUNS_DIR = "runs"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
INDEX_HTML = "index.html"
HISTORY_RUNS = 30  # runs the charts cover


def build_run_report(
    out: Path, summary: dict[str, Any], entries: dict[str, SiteEntry], exit_status: int
) -> dict[str, Any]:
    """Everything the night's page shows, as JSON. Paths are relative to OUT."""
    archive, cache = RawArchive(out), ParseCache(out, PARSER_VERSION)
    text_by_url = {entry["url"]: path for path, entry in read_index(out / "text").items()}
    documents = [
        _document(out, archive, cache, text_by_url, change, entries)
        for change in summary.get("documents", [])
    ]
    state = StateStore(out)
    try:
        health = {h.site_id: h for h in state.all_health()}
        history = _history(state)
    finally:
        state.close()
    sites = []
    for site_id, row in summary["sites"].items():
        entry, site_health = entries.get(site_id), health.get(site_id)
        status, signals = assess(row)
        sites.append(
            {
                "site_id": site_id,
                "agency": entry.agency if entry else "",
                "start_url": entry.start_urls[0] if entry else "",
                "province": _province(entry),
                "level": (entry.level if entry else None) or "unknown",
                "status": status,
                "signals": signals,
                "consecutive_failures": site_health.consecutive_failures if site_health else 0,
                "last_success": site_health.last_success if site_health else "",
                "verified": bool(site_health and site_health.verified),
                **{k: row[k] for k in ("reports_found", "documents", "new", "changed", "parsed_ok")},
                "errors": row["errors"],
            }
        )
    sites.sort(key=lambda s: (STATUS_ORDER[s["status"]], -s["consecutive_failures"], s["site_id"]))
    return {
        "run_id": summary["run_id"],
        "started_at": summary.get("started_at", ""),
        "finished_at": summary.get("finished_at", ""),
        "finish_reason": summary.get("finish_reason", ""),
        "full": summary.get("full", False),
        "exit_status": exit_status,
        "totals": summary["totals"],
        "sites_by_status": dict(Counter(s["status"] for s in sites)),
        "health_changes": summary.get("health_changes", []),
        "documents": documents,
        "parse_failures": [d for d in documents if d["parse_status"] == PARSE_FAILED],
        "rule_failures": [d for d in documents if d["failed_checks"]],
        "sites": sites,
        "coverage": {"province": _coverage(sites, "province"), "level": _coverage(sites, "level")},
        "history": history,
    }


def _document(
    out: Path,
    archive: RawArchive,
    cache: ParseCache,
    text_by_url: dict[str, str],
    change: dict[str, str],
    entries: dict[str, SiteEntry],
) -> dict[str, Any]:
    report = cache.get(change["sha256"])
    entry = entries.get(change["site_id"])
    return {
        **change,
        "agency": (report.agency if report else None) or (entry.agency if entry else ""),
        "archived": archive.path_for(change["sha256"]).relative_to(out).as_posix(),
        "text": text_by_url.get(change["url"]),
        "parse_status": report.status if report else "unparsed",
        "year": report.year if report else None,
        "template": report.template if report else None,
        "report_title": (report.title if report else None) or change.get("title", ""),
        "error": report.error if report else "not parsed (the run was cut short)",
        "failed_checks": [c.to_json() for c in report.checks if not c.ok] if report else [],
    }


def _province(entry: SiteEntry | None) -> str:
    """`23 黑龙江省` for a site with a region code; central departments and unknowns apart."""
    if entry is None or not entry.region_code:
        return "central / unknown"
    code = entry.region_code[:2] + "0000"
    found = region(code)
    return f"{code[:2]} {found.name}" if found else code[:2]


def _coverage(sites: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for site in sites:
        groups[site[key]].append(site)
    return [
        {
            key: name,
            "sites": len(group),
            **{status: sum(s["status"] == status for s in group) for status in STATUS_ORDER},
            "reports_found": sum(s["reports_found"] for s in group),
        }
        for name, group in sorted(groups.items())
    ]


def _history(state: StateStore) -> dict[str, Any]:
    """The last HISTORY_RUNS runs: reports found per run, and the status per run of each site that
    was not ok at least once (worst first)."""
    runs = state.site_runs(HISTORY_RUNS)
    run_ids = sorted({run.run_id for run in runs})
    column = {run_id: i for i, run_id in enumerate(run_ids)}
    found = [0] * len(run_ids)
    statuses: dict[str, list[str | None]] = {}
    for run in runs:
        found[column[run.run_id]] += run.reports_found
        row = statuses.setdefault(run.site_id, [None] * len(run_ids))
        row[column[run.run_id]] = assess(run.summary)[0] if "list_pages" in run.summary else None
    failures = {site: sum(s not in (None, STATUS_OK) for s in row) for site, row in statuses.items()}
    failing = sorted((site for site, n in failures.items() if n), key=lambda site: (-failures[site], site))
    return {
        "runs": run_ids,
        "reports_found": found,
        # Only sites that failed at least once: at 100,000 columns the rest would be most of the file.
        "site_status": {site: statuses[site] for site in failing},
        "failures": {site: failures[site] for site in failing},
        "sites_always_ok": len(statuses) - len(failing),
    }


def write_run_report(out: Path, report: dict[str, Any]) -> Path:
    """Write the run's JSON and page, and rewrite the index over every run; returns the page."""
    from pipeline.runreport.html import render_index, render_run

    folder = out / RUNS_DIR / report["run_id"]
    write_atomic(folder / REPORT_JSON, json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"))
    write_atomic(folder / REPORT_HTML, render_run(report).encode("utf-8"))
    write_atomic(out / RUNS_DIR / INDEX_HTML, render_index(list_runs(out)).encode("utf-8"))
    return folder / REPORT_HTML


def list_runs(out: Path) -> list[dict[str, Any]]:
    """Every run report under OUT/runs, newest first."""
    reports = []
    for path in sorted((out / RUNS_DIR).glob(f"*/{REPORT_JSON}"), reverse=True):
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue  # a report being written by nobody (a crash mid-write leaves only a .tmp)
    return reports


__all__ = ["build_run_report", "list_runs", "write_run_report"]
