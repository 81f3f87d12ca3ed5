"""`nianbao health [--out DIR]`: every site's health across nights, worst first."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli import UsageError
from pipeline.crawl.health import STATUS_ORDER
from pipeline.crawl.state import SiteHealth, StateStore
from pipeline.datasets import DEFAULT_OUT
from pipeline.summary import pad

NIGHTS_SHOWN = 7  # reports found per night, newest last
COLUMNS = ("site", "health", "fails", "last success", "found (last nights)", "verified", "signals")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "health",
        help="each site's health across nights (failed and degraded first)",
        description="The site health the crawl keeps in OUT/state/state.sqlite: status of the latest "
        "night (failed: no list page could be read; degraded: read, but with a signal that the site "
        "changed), nights failing in a row, last success, reports found per night, verification "
        "and the signals seen.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per site instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.out / "state" / "state.sqlite").is_file():
        raise UsageError(f"no crawl state in {args.out}: run `nianbao nightly --out {args.out}` first")
    state = StateStore(args.out)
    try:
        rows = worst_first(state.all_health())
        found = nights_found(state, NIGHTS_SHOWN)
    finally:
        state.close()
    if args.json:
        for health in rows:
            record = {**health.__dict__, "found_per_night": found.get(health.site_id, [])}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_health(rows, found) + "\n")
    return 0


def worst_first(rows: list[SiteHealth]) -> list[SiteHealth]:
    return sorted(rows, key=lambda h: (STATUS_ORDER[h.status], -h.consecutive_failures, h.site_id))


def nights_found(state: StateStore, nights: int) -> dict[str, list[int]]:
    """Reports found per site on each of the last `nights` runs that crawled it, oldest first."""
    found: dict[str, list[int]] = {}
    for run in state.site_runs(nights):
        found.setdefault(run.site_id, []).append(run.reports_found)
    return found


def format_health(rows: list[SiteHealth], found: dict[str, list[int]]) -> str:
    table = [COLUMNS] + [
        (
            h.site_id,
            h.status,
            str(h.consecutive_failures),
            h.last_success or "never",
            " ".join(map(str, found.get(h.site_id, []))) or "-",
            "yes" if h.verified else "no",
            ",".join(h.signals) or "-",
        )
        for h in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    counts = {s: sum(h.status == s for h in rows) for s in STATUS_ORDER}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()) + f" ({len(rows)} sites)")
    return "\n".join(lines)
