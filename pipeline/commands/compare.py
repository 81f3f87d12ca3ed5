"""`nianbao compare AGENCY [--out DIR] [--years A B] [--json]`: two years of one agency side by side.

AGENCY is an agency_id or a name (a unique part of one). Without --years, the agency's two latest
report years. Prints the cells that changed, the template rules that failed in either report and
the checks across years (panel_checks) that failed; --json prints the same as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli import require_datasets
from pipeline.datasets import DEFAULT_OUT


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="two years of one agency side by side: changed cells, failed checks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("agency", metavar="AGENCY", help="an agency_id, or a name (or a unique part of one)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--years",
        nargs=2,
        type=int,
        metavar=("A", "B"),
        help="the two report years (default: the latest two)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the readable table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_datasets(args.out, "reports")
    from pipeline.datasets.compare import CompareError, compare, format_comparison

    try:
        comparison = compare(args.out, args.agency, tuple(args.years) if args.years else None)
    except CompareError as exc:
        sys.stderr.write(f"nianbao compare: {exc}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(comparison.as_dict(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_comparison(comparison))
    return 0
