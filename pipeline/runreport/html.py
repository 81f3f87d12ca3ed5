"""Static pages of the run report: one per run (`runs/<run_id>/report.html`) and an index over all
runs (`runs/index.html`). Rendered from the report JSON alone; links to archived files are
relative, so the OUT folder can be copied or served as it is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from pipeline.cli import EXIT_MEANINGS
from pipeline.runreport.charts import STATUS_COLOURS, bar_chart, status_grid

_TO_OUT = "../../"  # from runs/<run_id>/report.html to OUT
# Rows per table: a first night over 100,000 columns lists more documents than a page can show.
MAX_ROWS = 2000

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 80em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
td.n { text-align: right; } .status { font-weight: bold; }
.ok { color: #2e8b57; } .degraded { color: #b07d00; } .failed { color: #c8102e; }
.none { color: #777; font-style: italic; }
"""


def render_run(report: dict[str, Any]) -> str:
    totals = report["totals"]
    history = report["history"]
    exit_status = report["exit_status"]
    body = [
        f"<h1>nianbao run {escape(report['run_id'])}</h1>",
        '<p><a href="../index.html">all runs</a></p>',
        "<p>"
        f"started {escape(report['started_at'])}, finished {escape(report['finished_at'])} "
        f"({escape(report['finish_reason'])}{', full crawl' if report['full'] else ''}); "
        f'exit status <span class="status">{exit_status}</span>: '
        f"{escape(EXIT_MEANINGS.get(exit_status, '?'))}."
        "</p>",
        "<p>"
        + ", ".join(
            f"{totals[k]} {label}"
            for k, label in (("reports_found", "reports found"), ("new", "new"), ("changed", "changed"))
        )
        + "; sites: "
        + ", ".join(f'<span class="{s}">{n} {s}</span>' for s, n in sorted(report["sites_by_status"].items()))
        + "</p>",
        "<h2>Health changes</h2>",
        _table(
            ["site", "agency", "change", "status", "signals", "failing nights"],
            report["health_changes"],
            lambda c: [
                escape(c["site_id"]),
                escape(c.get("agency", "")),
                escape(c["event"]),
                f"{escape(c['previous_status'] or 'new')} → {_status(c['status'])}",
                escape(", ".join(c["signals"]) or "-"),
                str(c["consecutive_failures"]),
            ],
            "no site changed health tonight",
        ),
        "<h2>New and changed reports</h2>",
        _table(
            ["", "agency", "title", "year", "parse", "archived", "text"],
            report["documents"],
            lambda d: [
                escape(d["change"]),
                escape(d["agency"]),
                _link(d["url"], d["report_title"] or d["url"]),
                str(d["year"] or ""),
                escape(d["parse_status"]),
                _link(_TO_OUT + d["archived"], "bytes"),
                _link(_TO_OUT + d["text"], "text") if d["text"] else "",
            ],
            "nothing new or changed tonight",
        ),
        "<h2>Documents that failed to parse</h2>",
        _table(
            ["document", "error", "archived"],
            report["parse_failures"],
            lambda d: [
                _link(d["url"], d["url"]),
                escape(d["error"] or ""),
                _link(_TO_OUT + d["archived"], "bytes"),
            ],
            "none",
        ),
        "<h2>Reports whose rules failed</h2>",
        _table(
            ["report", "agency", "failed rules"],
            report["rule_failures"],
            lambda d: [
                _link(d["url"], d["report_title"] or d["url"]),
                escape(d["agency"]),
                "<br>".join(f"{escape(c['rule'])}: {escape(c['detail'])}" for c in d["failed_checks"]),
            ],
            "none",
        ),
        "<h2>Sites by health</h2>",
        _table(
            [
                "site",
                "agency",
                "status",
                "signals",
                "failing nights",
                "last success",
                "found",
                "new",
                "errors",
            ],
            report["sites"],
            lambda s: [
                _link(s["start_url"], s["site_id"]) if s["start_url"] else escape(s["site_id"]),
                escape(s["agency"]),
                _status(s["status"]),
                escape(", ".join(s["signals"]) or "-"),
                str(s["consecutive_failures"]),
                escape(s["last_success"] or "never"),
                str(s["reports_found"]),
                str(s["new"]),
                escape(" ".join(f"{k}={v}" for k, v in s["errors"].items()) or "-"),
            ],
            "no sites",
        ),
        "<h2>Coverage by province</h2>",
        _coverage_table(report["coverage"]["province"], "province"),
        "<h2>Coverage by level</h2>",
        _coverage_table(report["coverage"]["level"], "level"),
        f"<h2>Reports found per night (last {len(history['runs'])} runs)</h2>",
        bar_chart(history["reports_found"], history["runs"], title="reports found per run"),
        f"<h2>Failures per site (last {len(history['runs'])} runs)</h2>",
        status_grid(history["site_status"], history["runs"], title="site health per run"),
        f'<p class="none">{history.get("sites_always_ok", 0)} sites were ok on every one of these runs.</p>',
    ]
    return _page(f"nianbao run {report['run_id']}", body)


def render_index(reports: list[dict[str, Any]]) -> str:
    """Every run, newest first, with the newest run's charts."""
    body = ["<h1>nianbao runs</h1>"]
    if reports:
        history = reports[0]["history"]
        body += [
            "<h2>Reports found per night</h2>",
            bar_chart(history["reports_found"], history["runs"], title="reports found per run"),
            "<h2>Failures per site</h2>",
            status_grid(history["site_status"], history["runs"], title="site health per run"),
        ]
    body += [
        "<h2>Runs</h2>",
        _table(
            ["run", "finished", "exit", "found", "new", "changed", "ok", "degraded", "failed"],
            reports,
            lambda r: [
                _link(f"{r['run_id']}/report.html", r["run_id"]),
                escape(r["finished_at"]),
                f"{r['exit_status']} ({escape(EXIT_MEANINGS.get(r['exit_status'], '?'))})",
                str(r["totals"]["reports_found"]),
                str(r["totals"]["new"]),
                str(r["totals"]["changed"]),
                *(str(r["sites_by_status"].get(s, 0)) for s in ("ok", "degraded", "failed")),
            ],
            "no runs yet",
        ),
    ]
    return _page("nianbao runs", body)


def _coverage_table(rows: list[dict[str, Any]], key: str) -> str:
    return _table(
        [key, "sites", "ok", "degraded", "failed", "reports found"],
        rows,
        lambda r: [
            escape(r[key]),
            *(str(r[k]) for k in ("sites", "ok", "degraded", "failed", "reports_found")),
        ],
        "no sites",
    )


def _table(headings: list[str], rows: Sequence[Any], cells: Callable[[Any], list[str]], empty: str) -> str:
    """A table of the first MAX_ROWS rows (worst or newest first), saying how many more the JSON has."""
    if not rows:
        return f'<p class="none">{escape(empty)}</p>'
    lines = ["<tr>" + "".join(f"<td>{c}</td>" for c in cells(row)) + "</tr>" for row in rows[:MAX_ROWS]]
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in headings) + "</tr>"
    more = len(rows) - MAX_ROWS
    note = f'<p class="none">and {more} more rows: see report.json</p>' if more > 0 else ""
    return f"<table>{head}{''.join(lines)}</table>{note}"


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def _status(status: str) -> str:
    assert status in STATUS_COLOURS
    return f'<span class="status {escape(status)}">{escape(status)}</span>'


def _page(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
