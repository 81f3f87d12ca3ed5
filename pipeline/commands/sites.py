"""`nianbao sites [check] [--sites FILE]`: list the sites registry as a table, or check it."""

from __future__ import annotations

import argparse
import sys
import unicodedata

from pipeline.registry import RegistryError, SiteEntry, load_registry

DEFAULT_SITES = "data/sites.yaml"
COLUMNS = ("id", "level", "cms", "region_code", "agency", "start_url")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sites", help="list the sites registry, or check it (`sites check`)")
    parser.add_argument(
        "action", nargs="?", choices=("list", "check"), default="list", help="list (default) or check"
    )
    parser.add_argument(
        "--sites",
        default=DEFAULT_SITES,
        metavar="FILE",
        help=f"registry YAML file or folder of *.yaml files (default: {DEFAULT_SITES})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        entries = load_registry(args.sites)
    except RegistryError as exc:
        sys.stderr.write("\n".join(exc.problems) + f"\n{len(exc.problems)} problem(s) in {args.sites}\n")
        return 1
    if args.action == "check":
        sys.stdout.write(f"ok: {len(entries)} sites\n")
    else:
        sys.stdout.write(format_table(entries) + f"\n{len(entries)} sites\n")
    return 0


def format_table(entries: list[SiteEntry]) -> str:
    """The registry as aligned columns, one site per line, under a header line."""
    rows = [COLUMNS] + [_row(entry) for entry in entries]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(_line(row, widths) for row in rows)


def _row(entry: SiteEntry) -> tuple[str, ...]:
    return (
        entry.id,
        entry.level or "-",
        entry.cms or "-",
        entry.region_code or "-",
        entry.agency,
        entry.start_urls[0],
    )


def _line(row: tuple[str, ...], widths: list[int]) -> str:
    cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)]
    return "  ".join(cells).rstrip()


def _width(text: str) -> int:
    # Chinese agency names take two terminal columns per character; pad by display width.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
