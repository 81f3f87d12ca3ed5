"""`nianbao nightly`: the operator's one command for the night (cron, systemd timer).

Takes the lock on OUT, crawls incrementally (every `crawl` option applies), parses, updates the
datasets and the text archive, records each site's health, writes the run report
(`OUT/runs/<run_id>/report.json`, `report.html`, and `OUT/runs/index.html`) and runs the alert
hook when a site degrades or recovers. Exit status: 0 all well; 1 completed, but some sites
failed or degraded; 2 bad configuration or arguments, or OUT locked by another run; 3 nothing
could be crawled.
"""

from __future__ import annotations

import argparse
import sys

from pipeline.cli import verbosity
from pipeline.commands.crawl import (
    add_crawl_arguments,
    alert,
    check_sites,
    crawl,
    exit_status,
    output_lock,
)
from pipeline.runreport import build_run_report, write_run_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nightly",
        help="the night's run: crawl incrementally, update datasets, health, run report and alerts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_crawl_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    entries = {e.id: e for e in check_sites(args)}  # before the lock: a bad registry locks nothing
    with output_lock(args):
        summary = crawl(args)
        status = exit_status(summary)
        if not summary:  # the crawl did not get as far as its summary: nothing to report on
            return status
        page = write_run_report(args.out, build_run_report(args.out, summary, entries, status))
    if verbosity(args) >= 0:
        print(f"run report: {page}", file=sys.stderr)
    alert(args, summary, report=str(page.resolve()))
    return status
