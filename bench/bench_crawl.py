"""Crawl benchmark: a replica of ~1,000 reports on loopback, crawled end to end, then again.

    .venv/bin/python bench/bench_crawl.py [--reports 1000] [--seed 1] [--out DIR]

Prints pages/s and reports/s of the first crawl (fetch, archive, WARC, parse and outputs, process
start included), its peak memory, and the requests of a second, incremental crawl per site (the
incremental night's cost: at most 2 per unchanged site, tree columns included).
Politeness is switched off through the runner's overrides (loopback only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.cli import EXIT_DEGRADED, EXIT_OK  # noqa: E402
from pipeline.crawl.runner import POLITENESS_OFF, crawl_command  # noqa: E402
from pipeline.replica import Replica, start_replica  # noqa: E402
from pipeline.replica.layout import FAMILIES  # noqa: E402


def crawl(replica: Replica, out: Path) -> tuple[float, dict]:
    replica.clear_log()
    overrides = {**POLITENESS_OFF, "LOG_LEVEL": "WARNING"}
    command = crawl_command(replica.registry_path, out, allow_hosts=[replica.host], overrides=overrides)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - start
    if done.returncode not in (EXIT_OK, EXIT_DEGRADED):  # the replica's challenged site always fails
        raise SystemExit(done.stderr[-3000:])
    runs = sorted((out / "state" / "runs").glob("*.json"))
    return elapsed, json.loads(runs[-1].read_text(encoding="utf-8"))


def reports_right(replica: Replica, out: Path) -> int:
    """Reports of the ground truth found, parsed ok, with every cell right."""
    documents = replica.documents()
    right = set()
    for line in (out / "parsed" / "reports.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        expected = documents.get(row["url"])
        if expected is None or row["report"]["status"] != "ok":
            continue
        truth = expected.report.truth
        facts = {(f["section"], f["item"], f["column"]): f["value"] for f in row["report"]["facts"]}
        if all(facts.get(k, "missing") == truth.expected_value(k) for k in truth.values):
            right.add(id(expected.report))
    return len(right)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1000, help="reports in the replica (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="output folder (default: a new temporary folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="nianbao-bench-crawl-"))
    per_site = math.ceil(args.reports / (len(FAMILIES) - 1))  # the challenged site publishes nothing
    started = time.perf_counter()
    replica = start_replica(seed=args.seed, n_reports_per_site=per_site, workdir=out / "replica")
    print(f"replica: {sum(map(len, replica.truth.values()))} reports on {len(replica.truth)} sites "
          f"(built in {time.perf_counter() - started:.1f} s) at {replica.url}")  # fmt: skip
    try:
        elapsed, first = crawl(replica, out / "crawl")
        right = reports_right(replica, out / "crawl")
        totals = first["totals"]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        pages, documents = totals["responses"], totals["documents"]
        print(f"first crawl: {elapsed:.1f} s for {pages} responses ({pages / elapsed:.0f} pages/s)")
        rate = right / elapsed
        print(f"  {right} reports right ({rate:.1f} reports/s), {documents} documents archived and parsed")
        print(f"  peak RSS {peak_mb:.0f} MB (largest process); errors {totals['errors']}")
        elapsed, second = crawl(replica, out / "crawl")
        requests = Counter(entry.target.split("/")[1] for entry in replica.log)
        print(f"second crawl (nothing changed): {elapsed:.1f} s, {len(replica.log)} requests, "
              f"{second['totals']['documents']} documents fetched")  # fmt: skip
        print(f"  requests per site: {dict(sorted(requests.items()))}")
        robots = requests.pop("robots.txt", 0)  # one per host, not per site
        print(f"  requests per unchanged site ({robots} robots.txt apart): max {max(requests.values())}, "
              f"mean {sum(requests.values()) / len(requests):.2f} over {len(requests)} sites")  # fmt: skip
    finally:
        replica.stop()
    # The machine may be shared: a load above its core count makes the figures above pessimistic.
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    command = [".venv/bin/python", "bench/bench_crawl.py", "--reports", str(args.reports)]
    command += ["--seed", str(args.seed)]
    print("reproduce:", shlex.join(command))


if __name__ == "__main__":
    main()
