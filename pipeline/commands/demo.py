"""`nianbao demo`: the main job on the embedded default, with no network.

Serves the replica sites (generated TRS, Hanweb, VSB, EmpireCMS, Zhejiang and generic CMS sites
with known reports) on 127.0.0.1, crawls them like real sites (`nianbao nightly`), and builds the
archive, the text files, the datasets, site health and the run report under OUT (default
data/demo). Run it twice: the second night costs only
the list pages.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.cli import EXIT_DEGRADED, EXIT_OK, UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl the bundled replica sites and build archive, text and datasets (no network)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", default="data/demo", help="output folder (default: data/demo)")
    parser.add_argument("--reports", type=int, default=4, help="reports per replica site (default: 4)")
    parser.add_argument("--seed", type=int, default=0, help="replica layout seed (default: 0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.crawl.runner import POLITENESS_OFF, crawl_command
    from pipeline.datasets.schema import TABLES
    from pipeline.replica import start_replica

    out = Path(args.out)
    _fresh(out)
    replica = start_replica(seed=args.seed, n_reports_per_site=args.reports, workdir=out / "replica")
    try:
        print(f"replica sites: {replica.url} ({len(replica.truth)} sites, registry {replica.registry_path})")
        # Politeness is for real government servers; the replica is this process's own loopback.
        overrides = {**POLITENESS_OFF, "LOG_LEVEL": "WARNING"}  # the run summary says what happened
        registry, hosts = replica.registry_path, [replica.host]
        command = crawl_command(registry, out, allow_hosts=hosts, overrides=overrides, command_name="nightly")
        crawl = subprocess.run(command, check=False)
    finally:
        replica.stop()
    # The replica includes a site behind a challenge page: "some sites failed" is the expected end.
    if crawl.returncode not in (EXIT_OK, EXIT_DEGRADED):
        print(f"nianbao demo: the crawl failed (exit {crawl.returncode})", file=sys.stderr)
        return crawl.returncode
    print(f"\narchive:  {out}/archive (raw bytes by sha256, documents.jsonl, WARC files)")
    print(f"text:     {out}/text/YEAR/AGENCY_ID/REPORT_ID.txt")
    print(f"datasets: {out}/parquet/{{{','.join(TABLES)}}} (datapackage.json beside them)")
    print(f"report:   {out}/runs/index.html (the night's run report; `nianbao health --out {out}`)")
    print(f"browse:   .venv/bin/nianbao serve --out {out}   (or: nianbao compare AGENCY --out {out})")
    print(f"try:      .venv/bin/nianbao grep 不予公开 --out {out}")
    return 0


_MARKER = ".nianbao-demo"


def _fresh(out: Path) -> None:
    """Start from an empty folder: the replica listens on a new port each time, so yesterday's
    demo URLs are not today's. Only a folder an earlier demo made (it holds the marker) is cleared."""
    if (out / _MARKER).exists():
        shutil.rmtree(out)
        print(f"removed the previous demo in {out}")
    elif out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and was not made by the demo; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    (out / _MARKER).write_text("made by nianbao demo\n", encoding="utf-8")
