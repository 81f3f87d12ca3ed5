"""`nianbao compact [--out DIR]`: bring datasets written by an older nianbao to one file per
(table, year).

Builds already write one file per table and year (`<table>/year=YYYY/part-0.parquet`), so on
their output this does nothing and says so; on the year=/agency= folders of schema version 1 it
merges each year into one file (the next build would also do it, as it rewrites every year).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import require_datasets
from pipeline.datasets import DEFAULT_OUT
from pipeline.lock import OutputLock


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compact", help="merge datasets of an older layout into one file per table and year"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_datasets(args.out)
    from pipeline.datasets import compact_datasets

    with OutputLock(args.out):
        merged = compact_datasets(args.out)
    if merged:
        sys.stdout.write(f"compacted {merged} (table, year) folders into one file each\n")
    else:
        sys.stdout.write("nothing to compact: every table already has one file per year\n")
    return 0
