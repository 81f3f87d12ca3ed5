"""`nianbao grep PATTERN [--out DIR] [--year Y] [--region CODE] [--agency TEXT]`: search the text archive.

Prints one tab-separated line per match: year, agency, the matching line, the source URL and
the text file with the line number.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UsageError
from pipeline.datasets import DEFAULT_OUT
from pipeline.search import check_pattern, format_match, search


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("grep", help="search the text of every report (ripgrep when installed)")
    parser.add_argument("pattern", metavar="PATTERN", help="a regular expression (or a string with -F)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--year", type=int, help="only reports of this year")
    parser.add_argument("--region", metavar="CODE", help="only agencies whose region code starts with CODE")
    parser.add_argument("--agency", metavar="TEXT", help="only agencies whose name or id contains TEXT")
    parser.add_argument("-F", "--fixed-strings", action="store_true", help="PATTERN is a plain string")
    parser.add_argument("-i", "--ignore-case", action="store_true")
    parser.add_argument("--engine", choices=("auto", "rg", "python"), default="auto", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.out / "text").is_dir():
        raise UsageError(f"no text archive in {args.out}: run `nianbao datasets --out {args.out}` first")
    check_pattern(args.pattern, fixed=args.fixed_strings, engine=args.engine)
    found = False
    for match in search(
        args.out,
        args.pattern,
        year=args.year,
        region=args.region,
        agency=args.agency,
        fixed=args.fixed_strings,
        ignore_case=args.ignore_case,
        engine=args.engine,
    ):
        sys.stdout.write(format_match(match) + "\n")
        found = True
    return 0 if found else 1
