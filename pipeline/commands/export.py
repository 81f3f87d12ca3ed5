"""`nianbao export --format duckdb|csv|sqlite [--out DIR] [--to PATH]`: the datasets as one file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UsageError
from pipeline.datasets import DEFAULT_OUT

FORMATS = ("duckdb", "csv", "sqlite")  # the writers of pipeline.datasets.export


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="bundle the datasets into one DuckDB, SQLite or zipped-CSV file"
    )
    parser.add_argument("--format", choices=FORMATS, required=True)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--to", type=Path, help="the bundle's path (default: OUT/export/nianbao.<format>)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.out / "parquet").is_dir():
        raise UsageError(f"no datasets in {args.out}: run `nianbao datasets --out {args.out}` first")
    from pipeline.datasets.export import export

    path = export(args.out, args.format, args.to)
    sys.stdout.write(f"{path}\n")
    return 0
