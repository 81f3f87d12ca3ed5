"""Shared-crawl benchmark: the replica crawled by 1, 2 and 3 `nianbao crawl --redis` workers.

    .venv/bin/python bench/bench_distributed.py [--reports 300] [--seed 1] [--workers 1,2,3]

Starts a redis-server on 127.0.0.1 and a replica of about `--reports` reports, then for each worker
count crawls the replica from scratch into a new folder with that many workers started at once,
and prints wall time, responses, pages/s and reports right. Then the next, unchanged night with
the largest worker count: requests per site, and the WARC bytes a conditional request costs. Last,
`--columns` report columns (copies of the year-module site, each its own column): a first night,
then unchanged nights with 1 and with the most workers, in requests per second.
Politeness is off (loopback only); every worker parses in one thread.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench_crawl import reports_right  # noqa: E402

from pipeline.crawl.runner import POLITENESS_OFF, crawl_command  # noqa: E402
from pipeline.replica import Replica, start_replica  # noqa: E402
from pipeline.replica.layout import FAMILIES  # noqa: E402
from pipeline.replica.redis_server import start_redis  # noqa: E402


def shared_crawl(
    replica: Replica, out: Path, redis_url: str, prefix: str, workers: int
) -> tuple[float, dict]:
    """Start `workers` workers at once; the wall time until the last exits, and the run summary."""
    replica.clear_log()
    overrides = {**POLITENESS_OFF, "LOG_LEVEL": "WARNING", "NIANBAO_PARSE_WORKERS": 1}
    overrides["NIANBAO_REDIS_PREFIX"] = prefix
    command = crawl_command(
        replica.registry_path, out, allow_hosts=[replica.host], overrides=overrides, redis_url=redis_url
    )
    start = time.perf_counter()
    processes = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
        for _ in range(workers)
    ]
    failed = [p.communicate()[1][-2000:] for p in processes if p.wait() != 0]
    elapsed = time.perf_counter() - start
    if failed:
        raise SystemExit(b"\n".join(failed).decode(errors="replace"))
    runs = sorted((out / "state" / "runs").glob("*.json"))
    return elapsed, json.loads(runs[-1].read_text(encoding="utf-8"))


def many_columns(replica: Replica, columns: int, folder: Path) -> Replica:
    """The replica with a registry of `columns` report columns: copies of its year-module site,
    each under its own address (the module answers any `area`), each listing one year. Every
    column serves the same list, so a night costs one conditional request per column."""
    entries = yaml.safe_load(replica.registry_path.read_text(encoding="utf-8"))
    template = next(e for e in entries if e["id"] == "replica-zj")
    copies = [
        {**template, "id": f"column-{i:06d}", "years": [2024],
         "start_urls": [template["start_urls"][0].replace("area=", f"area={i:06d}")]}
        for i in range(columns)
    ]  # fmt: skip
    path = folder / "columns.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(copies, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return replace(replica, registry_path=path)


def night_of_columns(replica: Replica, redis_url: str, counts: list[int], columns: int, work: Path) -> None:
    """The nightly cost of many unchanged columns: a first night, then unchanged nights."""
    columned, out = many_columns(replica, columns, work / "columns"), work / "columns" / "out"
    elapsed, _ = shared_crawl(columned, out, redis_url, "columns-first", 1)
    print(f"{columns} columns, first night, 1 worker: {elapsed:.1f} s, {len(replica.log)} requests")
    for n in sorted({1, counts[-1]}):
        elapsed, _ = shared_crawl(columned, out, redis_url, f"columns-night-{n}", n)
        requests, unchanged = len(replica.log), sum(e.status == 304 for e in replica.log)
        rate = requests / elapsed
        print(f"{columns} columns, unchanged night, {n} worker(s): {elapsed:.1f} s for {requests} requests "
              f"({unchanged} answered 304): {rate:.0f} requests/s, process start included")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=300, help="reports in the replica (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1,2,3", help="worker counts to run (default 1,2,3)")
    parser.add_argument("--columns", type=int, default=400, help="columns of the unchanged-night run")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-distributed-"))
    per_site = math.ceil(args.reports / (len(FAMILIES) - 1))  # the challenged site publishes nothing
    redis = start_redis(work)
    replica = start_replica(seed=args.seed, n_reports_per_site=per_site, workdir=work / "replica")
    print(f"replica: {sum(map(len, replica.truth.values()))} reports on {len(replica.truth)} sites; "
          f"redis-server at {redis.url}; {os.cpu_count()} cores")  # fmt: skip
    try:
        for n in counts:
            out = work / f"workers-{n}"
            elapsed, summary = shared_crawl(replica, out, redis.url, f"bench-{n}", n)
            pages, right = summary["totals"]["responses"], reports_right(replica, out)
            print(f"{n} worker(s): {elapsed:.1f} s for {pages} responses ({pages / elapsed:.1f} pages/s), "
                  f"{right} reports right; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        n, out = counts[-1], work / f"workers-{counts[-1]}"
        warcs = out / "archive" / "warc"
        before = sum(p.stat().st_size for p in warcs.glob("*.warc.gz"))
        elapsed, summary = shared_crawl(replica, out, redis.url, f"bench-{n}-night", n)
        after = sum(p.stat().st_size for p in warcs.glob("*.warc.gz"))
        requests = Counter(e.path.split("/")[1] for e in replica.log)
        robots = requests.pop("robots.txt", 0)
        documents = summary["totals"]["documents"]
        print(f"next night, nothing changed, {n} worker(s): {elapsed:.1f} s, {len(replica.log)} requests "
              f"({robots} robots.txt: one per worker and host), {documents} documents")  # fmt: skip
        print(f"  requests per site: {dict(sorted(requests.items()))}; max {max(requests.values())}")
        written = after - before
        print(f"  WARC written: {written} bytes, {written / len(replica.log):.0f} per request")
        night_of_columns(replica, redis.url, counts, args.columns, work)
    finally:
        replica.stop()
        redis.stop()
    command = [".venv/bin/python", "bench/bench_distributed.py", "--reports", str(args.reports)]
    command += ["--seed", str(args.seed), "--workers", args.workers, "--columns", str(args.columns)]
    print("reproduce:", shlex.join(command))


if __name__ == "__main__":
    main()
