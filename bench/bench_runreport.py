"""Benchmark: the night's bookkeeping at registry scale — site health, the run report and its pages.

    .venv/bin/python bench/bench_runreport.py [--sites 10000] [--runs 30] [--documents 2000]

A synthetic state store holds --runs past nights of --sites sites (a tenth of them failing or
degraded on any night); one more night is recorded through `update_health` and reported with
`build_run_report` / `write_run_report`, and `nianbao health` reads the table back. Prints the
seconds each step takes, the size of report.json and report.html, and peak memory; no network,
no crawl (the crawl benchmark is bench_crawl.py).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.commands.health import format_health, nights_found, worst_first  # noqa: E402
from pipeline.crawl.context import COUNTERS  # noqa: E402
from pipeline.crawl.health import assess, update_health  # noqa: E402
from pipeline.crawl.state import SiteRun, StateStore  # noqa: E402
from pipeline.registry import SiteEntry  # noqa: E402
from pipeline.runreport import build_run_report, write_run_report  # noqa: E402

PROVINCES = ("11", "23", "32", "42", "44", "51", "61", "65")


def site_row(rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {name: 0 for name in COUNTERS}
    row["errors"] = {}
    roll = rng.random()
    if roll < 0.05:  # unreachable
        row["errors"] = {"fetch_DownloadTimeoutError": 1}
        return row
    row.update(responses=3, list_pages=2, reports_found=rng.randint(1, 12), parsed_ok=rng.randint(0, 2))
    if roll < 0.10:
        row["errors"] = {rng.choice(["list_stopped_matching", "challenge", "site_yields_none"]): 1}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=30, help="past nights in the state (default 30)")
    parser.add_argument("--documents", type=int, default=2000, help="new documents tonight (default 2000)")
    args = parser.parse_args()
    rng = random.Random(0)
    site_ids = [f"site-{i:06d}" for i in range(args.sites)]
    entries = {
        site_id: SiteEntry(
            id=site_id,
            agency="某区人民政府",
            start_urls=(f"http://www{i}.example.gov.cn/nb/",),
            region_code=f"{PROVINCES[i % len(PROVINCES)]}0102",
            level=("county", "city", "department")[i % 3],
        )
        for i, site_id in enumerate(site_ids)
    }
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-report-") as scratch:
        out = Path(scratch)
        state = StateStore(out)
        start = time.perf_counter()
        for night in range(args.runs):
            run_id = f"2026010{night // 10}T{night % 10:02d}0000Z-0000"
            state.db.execute("BEGIN")
            for site_id in site_ids:
                row = site_row(rng)
                state.put_site_run(SiteRun(run_id, site_id, True, row["reports_found"], row))
                update_health(state, site_id, row, run_id, run_id, "")
            state.db.execute("COMMIT")
        history_s = time.perf_counter() - start
        run_id = "20260201T000000Z-ffff"
        sites = {site_id: site_row(rng) for site_id in site_ids}
        start = time.perf_counter()
        changes = []
        for site_id, row in sites.items():
            state.put_site_run(SiteRun(run_id, site_id, True, row["reports_found"], row))
            change = update_health(state, site_id, row, run_id, run_id, "")
            row["status"], row["signals"] = assess(row)
            if change:
                changes.append(change)
        health_s = time.perf_counter() - start
        state.close()
        title = "2025年政府信息公开工作年度报告"
        documents = [
            {"url": f"http://www{i}.example.gov.cn/nb/{i}.html", "site_id": site_ids[i % args.sites],
             "kind": "page", "sha256": f"{i:064x}", "change": "new", "title": title}
            for i in range(args.documents)
        ]  # fmt: skip
        totals = {name: sum(row[name] for row in sites.values()) for name in COUNTERS}
        summary = {"run_id": run_id, "started_at": "s", "finished_at": "f", "finish_reason": "finished",
                   "full": False, "sites": sites, "totals": {**totals, "errors": {}},
                   "health_changes": changes, "documents": documents}  # fmt: skip
        start = time.perf_counter()
        report = build_run_report(out, summary, entries, 1)
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        page = write_run_report(out, report)
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        state = StateStore(out)
        table = format_health(worst_first(state.all_health()), nights_found(state, 7))
        state.close()
        health_cmd_s = time.perf_counter() - start
        json_mb = (page.parent / "report.json").stat().st_size / 1e6
        html_mb = page.stat().st_size / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"run report benchmark: {args.sites} sites, {args.runs} past nights, {args.documents} new documents"
    )
    print(f"  state of {args.runs} past nights written     {history_s:8.2f} s (setup)")
    print(f"  tonight's health recorded ({len(changes)} changes)  {health_s:8.2f} s")
    print(f"  build_run_report (history of 30 runs)   {build_s:8.2f} s")
    print(f"  write report.json + pages + index       {write_s:8.2f} s")
    print(f"  nianbao health table ({len(table.splitlines())} lines)       {health_cmd_s:8.2f} s")
    print(f"  report.json {json_mb:.1f} MB, report.html {html_mb:.1f} MB, peak RSS {peak:.0f} MB")
    print(
        f"reproduce: .venv/bin/python bench/bench_runreport.py --sites {args.sites} --runs {args.runs} "
        f"--documents {args.documents}"
    )


if __name__ == "__main__":
    main()
