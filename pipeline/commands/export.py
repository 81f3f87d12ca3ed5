"""`nianbao export --format duckdb|csv|sqlite|parquet [--partition-by year,agency] [--out DIR] [--to PATH]`:
the datasets as one file, or as Parquet folders per year and agency."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UsageError, require_datasets
from pipeline.datasets import DEFAULT_OUT

FORMATS = ("duckdb", "csv", "sqlite", "parquet")  # the writers of pipeline.datasets.export


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="bundle the datasets into one DuckDB, SQLite or zipped-CSV file, or Parquet folders per agency",
    )
    parser.add_argument("--format", choices=FORMATS, help="bundle format (parquet with --partition-by)")
    parser.add_argument(
        "--partition-by",
        type=_keys,
        metavar="KEYS",
        help="Parquet folders by these keys, comma-separated: year, agency (e.g. year,agency: "
        "OUT/export/parquet/<table>/year=YYYY/agency_id=ID/)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--to", type=Path, help="the bundle's path (default: OUT/export/nianbao.<format>)")
    parser.set_defaults(func=run)


def _keys(text: str) -> tuple[str, ...]:
    from pipeline.datasets.export import PARTITION_KEYS

    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in keys if k not in PARTITION_KEYS]
    if not keys or unknown or len(set(keys)) != len(keys):
        choices = ", ".join(PARTITION_KEYS)
        raise argparse.ArgumentTypeError(f"give distinct keys among {choices}, e.g. year,agency")
    return keys


def run(args: argparse.Namespace) -> int:
    fmt = args.format or ("parquet" if args.partition_by else None)
    if fmt is None:
        raise UsageError("give --format (duckdb, csv, sqlite, parquet) or --partition-by")
    if args.partition_by and fmt != "parquet":
        raise UsageError(f"--partition-by makes Parquet folders, not {fmt}")
    require_datasets(args.out)
    from pipeline.datasets.export import export

    path = export(args.out, fmt, args.to, partition_by=args.partition_by or ("year",))
    sys.stdout.write(f"{path}\n")
    return 0
