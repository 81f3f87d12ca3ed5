"""`nianbao sites [list|check|coverage] [--sites FILE] [--png FILE]`: list the sites registry as a
table, check it, or show how much of the state it covers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import ConfigError
from pipeline.registry import DEFAULT_REGISTRY, RegistryError, SiteEntry, load_registry
from pipeline.summary import display_width, pad

COLUMNS = ("id", "level", "cms", "region_code", "agency", "start_url")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sites", help="list the sites registry, or check it (`sites check`)")
    parser.add_argument(
        "action",
        nargs="?",
        choices=("list", "check", "coverage"),
        default="list",
        help="list (default), check, or coverage (counts by level and province against the totals)",
    )
    add_registry_argument(parser)
    parser.add_argument(
        "--png",
        metavar="FILE",
        help="with coverage: also write the coverage chart to this PNG file",
    )
    parser.set_defaults(func=run)


def add_registry_argument(parser: argparse.ArgumentParser, purpose: str = "registry") -> None:
    """`--sites FILE` (every command that reads the registry): the shipped one by default."""
    parser.add_argument(
        "--sites",
        default=str(DEFAULT_REGISTRY),
        metavar="FILE",
        help=f"{purpose}: a YAML file or a folder of *.yaml files (default: the one shipped with nianbao)",
    )


def run(args: argparse.Namespace) -> int:
    if not Path(args.sites).exists():
        raise ConfigError(f"no such registry: {args.sites}")
    try:
        entries = load_registry(args.sites)
    except RegistryError as exc:
        sys.stderr.write("\n".join(exc.problems) + f"\n{len(exc.problems)} problem(s) in {args.sites}\n")
        return 1
    if args.action == "coverage":
        from pipeline.coverage import coverage, format_coverage, format_scopes, scope_coverage, write_chart

        rows = coverage(entries)
        sys.stdout.write(format_coverage(rows) + "\n\n")
        sys.stdout.write(format_scopes(scope_coverage(entries, rows)) + "\n")
        if args.png:
            sys.stdout.write(f"chart: {write_chart(rows, args.png)}\n")
    elif args.action == "check":
        sys.stdout.write(f"ok: {len(entries)} sites\n")
    else:
        sys.stdout.write(format_table(entries) + f"\n{len(entries)} sites\n")
    return 0


def format_table(entries: list[SiteEntry]) -> str:
    """The registry as aligned columns, one site per line, under a header line."""
    rows = [COLUMNS] + [_row(entry) for entry in entries]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
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
    return "  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip()
