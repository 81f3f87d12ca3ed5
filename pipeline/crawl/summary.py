"""The run summary: per site, what was fetched and found, and every named error.

Written to `OUT/state/runs/<run_id>.json` and printed as an aligned table when a crawl closes. It
also raises the one error only visible across runs (a site that yielded reports and now yields none)
and records each site's health for the night (pipeline.crawl.health).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy import signals

from pipeline.archive import write_atomic
from pipeline.crawl.context import COUNTERS, CrawlContext, CrawlerComponent, context_of, utc_now
from pipeline.crawl.health import assess, update_health
from pipeline.crawl.shared import leasing_scheduler
from pipeline.crawl.state import SiteRun

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_HEADINGS = {
    "responses": "fetched",
    "list_pages": "lists",
    "reports_found": "found",
    "documents": "docs",
    "new": "new",
    "changed": "changed",
    "parsed_ok": "ok",
}


class RunSummary(CrawlerComponent):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, reason: str) -> None:
        ctx = context_of(self.crawler)
        shared = leasing_scheduler(self.crawler)
        if shared is not None and not shared.finisher:
            # One worker of a shared run: the worker that ends the run writes its summary.
            if self.crawler.settings.getbool("NIANBAO_PRINT_SUMMARY"):
                print(f"worker {ctx.worker} of run {ctx.run_id} stopped ({reason})", flush=True)
            ctx.state.close()
            return
        if shared is not None:
            assert ctx.stats is not None
            shared.merge_counters(ctx.stats)
        complete = reason == "finished"
        finished_at = utc_now()
        sites = {site_id: self._site(ctx, site_id, complete) for site_id in ctx.entries}
        changes = []
        for site_id, row in sites.items():
            try:
                change = update_health(
                    ctx.state, site_id, row, ctx.run_id, finished_at, self._evidence(site_id)
                )
            except sqlite3.Error as exc:  # a full disk: the summary below is still written or printed
                ctx.run_error("storage_state", f"site {site_id}: {exc}")
                change = None
            row["status"], row["signals"] = assess(row)
            if change:
                changes.append({**change, "agency": ctx.entries[site_id].agency})
        run_errors = ctx.run_errors()
        summary = {
            "run_id": ctx.run_id,
            "started_at": ctx.started_at,
            "finished_at": finished_at,
            "finish_reason": reason,
            "full": ctx.full,
            **({"finished_by": ctx.worker} if shared is not None else {}),
            "sites": sites,
            "run_errors": run_errors,
            "totals": totals(sites, run_errors),
            "health_changes": changes,
            "documents": ctx.changes,
        }
        path = ctx.out / "state" / "runs" / f"{ctx.run_id}.json"
        text = json.dumps(summary, ensure_ascii=False, indent=2)
        try:
            write_atomic(path, text.encode("utf-8"))
        except OSError as exc:  # a full disk: the summary goes to the log instead
            print(f"nianbao crawl: the run summary could not be written ({exc}); it was:", file=sys.stderr)
            print(text, file=sys.stderr, flush=True)
        if self.crawler.settings.getbool("NIANBAO_PRINT_SUMMARY"):
            print(format_table(sites), flush=True)
            if run_errors:
                print(f"run errors: {_errors(run_errors)}", flush=True)
            print(f"run {ctx.run_id} ({reason}): summary in {path}", flush=True)
        ctx.state.close()  # the summary is the last thing a run does

    def _evidence(self, site_id: str) -> str:
        """A report URL the spider recognised for this site tonight ("" if none)."""
        progress = getattr(self.crawler.spider, "sites", {}).get(site_id)
        return min(progress.found) if progress is not None and progress.found else ""

    @staticmethod
    def _site(ctx: CrawlContext, site_id: str, complete: bool) -> dict[str, Any]:
        previous = ctx.state.last_site_run(site_id, before=ctx.run_id)
        found = ctx.site_stats(site_id)["reports_found"]
        if complete and previous and previous.reports_found > 0 and found == 0:
            ctx.error(
                site_id,
                "site_yields_none",
                f"{previous.reports_found} reports in run {previous.run_id}, now 0",
            )
        row = ctx.site_stats(site_id)
        try:
            ctx.state.put_site_run(SiteRun(ctx.run_id, site_id, complete, found, row))
        except sqlite3.Error as exc:  # a full disk: the summary below is still written or printed
            ctx.run_error("storage_state", f"site {site_id}: {exc}")
        return row


def totals(sites: dict[str, dict[str, Any]], run_errors: dict[str, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {name: sum(row[name] for row in sites.values()) for name in COUNTERS}
    errors: dict[str, int] = dict(run_errors or {})
    for row in sites.values():
        for name, count in row["errors"].items():
            errors[name] = errors.get(name, 0) + count
    out["errors"] = dict(sorted(errors.items()))
    refused: Counter[str] = Counter()
    for row in sites.values():
        refused.update(row.get("refused", {}))
    out["refused"] = dict(sorted(refused.items()))
    return out


def format_table(sites: dict[str, dict[str, Any]]) -> str:
    """An aligned text table, one line per site and a total line."""
    header = ["site", "health", *_HEADINGS.values(), "errors"]
    rows = [
        [site_id, row.get("status", "-"), *(str(row[k]) for k in _HEADINGS), _errors(row["errors"])]
        for site_id, row in sites.items()
    ]
    total = totals(sites)
    rows.append(["TOTAL", "", *(str(total[k]) for k in _HEADINGS), _errors(total["errors"])])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first, health, *numbers, last = cells
        body = [
            first.ljust(widths[0]),
            health.ljust(widths[1]),
            *(c.rjust(w) for c, w in zip(numbers, widths[2:-1], strict=True)),
            last,
        ]
        return "  ".join(body).rstrip()

    rule = "-" * len(line(header))
    return "\n".join([line(header), rule, *map(line, rows[:-1]), rule, line(rows[-1])])


def _errors(errors: dict[str, int]) -> str:
    return " ".join(f"{name}={count}" for name, count in errors.items()) or "-"
