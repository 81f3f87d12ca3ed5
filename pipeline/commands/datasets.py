"""`nianbao datasets [--out DIR] [--agency ID]...`: build the datasets and text archive from the archive."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli import UsageError, show_progress, verbosity
from pipeline.datasets import DEFAULT_OUT
from pipeline.lock import OutputLock


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "datasets",
        help="build the Parquet datasets and the text archive from the raw archive and parse cache",
    )
    add_build_arguments(parser)
    parser.set_defaults(func=run)


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `datasets` and `reparse` share."""
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--agency", action="append", metavar="AGENCY_ID", help="update only this agency's files (repeatable)"
    )
    parser.add_argument("--workers", type=int, help="parser processes (default: one per CPU)")


def run(args: argparse.Namespace, *, reparse: bool = False) -> int:
    from pipeline.datasets import build_datasets, print_build_summary

    if not (args.out / "archive").is_dir():
        raise UsageError(f"no archive in {args.out}: crawl into it first (`nianbao crawl --out {args.out}`)")
    only = set(args.agency) if args.agency else None
    with OutputLock(args.out):
        summary = build_datasets(
            args.out, reparse=reparse, progress=show_progress(args), only_agencies=only, workers=args.workers
        )
    if verbosity(args) >= 0:
        print_build_summary(summary)
    return 0
