"""`nianbao crawl`: find, fetch, archive and parse the annual reports of the registry's sites."""

from __future__ import annotations

import argparse
import sys

from pipeline.registry import RegistryError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl the sites of a registry, archive what they serve, parse the reports",
        description="Crawl the report columns of the registry's sites into OUT: raw archive and WARC "
        "files under OUT/archive, parsed reports in OUT/parsed/reports.jsonl, state and run "
        "summaries under OUT/state. Exits 2 when the crawl cannot start (a bad registry), 1 when a full "
        "disk stopped it.",
    )
    parser.add_argument("--sites", required=True, help="registry YAML file or folder")
    parser.add_argument("--out", default="data/out", help="output folder (default: data/out)")
    parser.add_argument("--full", action="store_true", help="fetch everything again, not only what changed")
    parser.add_argument(
        "--site", action="append", default=[], metavar="ID", help="crawl only this site (repeatable)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="accept a loopback host in the registry (replica sites only)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting (e.g. AUTOTHROTTLE_ENABLED=False for a loopback replica)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.crawl.pipelines import DISK_FULL
    from pipeline.crawl.runner import run_crawl

    overrides = dict(item.split("=", 1) for item in args.set)
    try:
        summary = run_crawl(
            args.sites,
            args.out,
            full=args.full,
            site_ids=args.site,
            allow_hosts=args.allow_host,
            overrides=overrides,
        )
    except (RegistryError, ValueError) as exc:
        print(f"nianbao crawl: {exc}", file=sys.stderr)
        return 2
    if summary.get("finish_reason") == DISK_FULL:
        print(f"nianbao crawl: the run did not complete: the disk under {args.out} is full", file=sys.stderr)
        return 1
    if not summary:  # the summary is the run's last write: a run without one did not finish
        print(f"nianbao crawl: no run summary under {args.out}/state/runs (see the log)", file=sys.stderr)
        return 1
    return 0
