"""`nianbao compact [--out DIR]`: merge each year's agency partitions into one file per year.

Fewer, larger files read faster; the next `nianbao datasets` splits them again before updating.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UsageError
from pipeline.datasets import DEFAULT_OUT
from pipeline.lock import OutputLock


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compact", help="merge the datasets' partition files into one file per year"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.out / "parquet").is_dir():
        raise UsageError(f"no datasets in {args.out}: run `nianbao datasets --out {args.out}` first")
    from pipeline.datasets import compact_datasets

    with OutputLock(args.out):
        counts = compact_datasets(args.out)
    sys.stdout.write(f"compacted {counts['files_merged']} files into {counts['years']} (table, year) files\n")
    return 0
