"""Shared crawls: `nianbao crawl --redis URL` workers over the replica sites, on a real redis-server.

Each test starts workers as subprocesses (`nianbao crawl ... --redis`) against one redis-server on
127.0.0.1 (a free port, a temporary folder, nothing saved); every scenario uses its own key prefix.
Nothing waits on time: a worker is killed at a known point (its N-th document response, by the
test-only NIANBAO_TEST_SIGKILL_AFTER_DOCUMENTS), and the survivors end by themselves when the
queue is empty and no lease is outstanding.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from test_crawl_e2e import N_REPORTS, REPO, Run, assert_every_report_right, cell_errors, parsed_lines

from pipeline.archive import RawArchive
from pipeline.cli import EXIT_DEGRADED, EXIT_OK
from pipeline.crawl.runner import POLITENESS_OFF, crawl_command
from pipeline.replica import Replica, start_replica
from pipeline.replica.redis_server import LocalRedis, start_redis

# Loopback replica, one parse thread per worker (three workers share the two cores). A lease
# outlives a stalled worker by far (a loaded test machine must not make a live worker look dead) …
WORKER_SETTINGS: dict[str, Any] = {**POLITENESS_OFF, "NIANBAO_PARSE_WORKERS": 1, "NIANBAO_LEASE_TIMEOUT": 30}
# … except after a kill, where the survivors wait out the dead worker's last heartbeat.
AFTER_A_KILL: dict[str, Any] = {"NIANBAO_LEASE_TIMEOUT": 3}
# scrapy-redis as it comes: its scheduler pops for good, its duplicate filter marks at enqueue.
PLAIN_SCRAPY_REDIS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
}
KILLED_SITE = "replica-empire"  # every document of this site is a report page: a lost one is missed


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedis]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    started = start_replica(seed=0, n_reports_per_site=N_REPORTS, workdir=tmp_path_factory.mktemp("replica"))
    yield started
    started.stop()


@dataclass
class Worker:
    returncode: int
    stdout: str
    stderr: str


def run_workers(
    replica: Replica,
    out: Path,
    redis_url: str,
    prefix: str,
    n: int,
    site_ids: tuple[str, ...] = (),
    **settings: Any,
) -> list[Worker]:
    """Start `n` workers at once and wait for all of them."""
    # A named run: a worker that starts late (a loaded machine) joins this run, never a new one.
    overrides = {**WORKER_SETTINGS, "NIANBAO_REDIS_PREFIX": prefix, "NIANBAO_REDIS_RUN": prefix, **settings}
    command = crawl_command(
        replica.registry_path,
        out,
        site_ids=site_ids,
        allow_hosts=[replica.host],
        overrides=overrides,
        redis_url=redis_url,
    )
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        for _ in range(n)
    ]
    workers = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        workers.append(Worker(process.returncode, stdout, stderr))
    return workers


def fetches(replica: Replica) -> Counter[tuple[str, str]]:
    """(method, target) of every request but robots.txt (each worker reads it) and 5xx answers
    (the replica's flaky page fails once per replica, whichever crawl comes first)."""
    return Counter((e.method, e.target) for e in replica.log if e.path != "/robots.txt" and e.status < 500)


# --- three workers against one crawl -------------------------------------------------------------


@pytest.fixture(scope="module")
def single(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run, Counter]:
    out = tmp_path_factory.mktemp("single")
    run = Run(replica, out, NIANBAO_PARSE_WORKERS=1)
    return out, run, fetches(replica)


@pytest.fixture(scope="module")
def three(
    replica: Replica, redis_server: LocalRedis, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Worker], Counter]:
    out = tmp_path_factory.mktemp("three")
    replica.clear_log()
    workers = run_workers(replica, out, redis_server.url, "three", n=3)
    return out, workers, fetches(replica)


def documents(out: Path) -> dict[str, list[str]]:
    """Each distinct body and every URL serving it (which URL comes first is fetch order)."""
    return {line["sha256"]: sorted([line["url"], *line["also_at"]]) for line in parsed_lines(out)}


def _table(out: Path, name: str) -> pd.DataFrame:
    """A dataset, less when and where things were fetched; lists (the several sources of one
    report, in the order they were fetched) as sorted."""
    frame = pd.read_parquet(out / "parquet" / name)
    frame = frame.drop(columns=[c for c in frame.columns if "fetched" in c or "path" in c])
    frame = frame.map(
        lambda v: str(sorted(v)) if hasattr(v, "__len__") and not isinstance(v, str) else str(v)
    )
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_three_workers_give_the_reports_and_facts_of_one_crawl(
    single: tuple[Path, Run, Counter], three: tuple[Path, list[Worker], Counter], replica: Replica
) -> None:
    (one, _, _), (shared, workers, _) = single, three
    # 1: the run completed with failing sites (the replica has a challenged site and a 404).
    assert {w.returncode for w in workers} <= {EXIT_OK, EXIT_DEGRADED}, [w.stderr[-2000:] for w in workers]
    assert_every_report_right(shared, replica)
    assert documents(shared) == documents(one)
    for name in ("facts", "reports"):
        pd.testing.assert_frame_equal(_table(shared, name), _table(one, name))


def test_no_url_is_fetched_twice_across_workers(
    single: tuple[Path, Run, Counter], three: tuple[Path, list[Worker], Counter]
) -> None:
    (_, _, alone), (_, workers, shared) = single, three
    errors = [line for w in workers for line in w.stderr.splitlines() if "ERROR" in line or "robots" in line]
    assert shared == alone, errors  # the very requests of a crawl of its own …
    # … each once (POSTs of one paging endpoint share a target: their bodies differ).
    assert [key for key, n in shared.items() if n > 1 and key[0] == "GET"] == []


def test_one_worker_ends_the_run_and_sums_every_workers_counters(
    single: tuple[Path, Run, Counter], three: tuple[Path, list[Worker], Counter]
) -> None:
    (_, alone, _), (shared, workers, _) = single, three
    finishers = [w for w in workers if "TOTAL" in w.stdout]
    assert len(finishers) == 1
    assert sum("stopped (finished)" in w.stdout for w in workers) == 2
    summary = json.loads(next((shared / "state" / "runs").glob("*.json")).read_text(encoding="utf-8"))
    assert summary["finish_reason"] == "finished" and summary["finished_by"]
    for name in ("documents", "new", "parsed_ok", "list_pages"):
        assert summary["totals"][name] == alone.summary["totals"][name], name
    assert summary["totals"]["errors"] == alone.summary["totals"]["errors"]
    # One WARC file per worker that fetched anything: no two processes append to one file. (How
    # the work splits depends on when each process is up; a late one may find nothing left.)
    warcs = [p.name for p in (shared / "archive" / "warc").glob("*.warc.gz")]
    assert 2 <= len(warcs) <= 3 and all(name.startswith(summary["run_id"] + "-") for name in warcs)


# --- a worker SIGKILLed mid-crawl: scrapy-redis alone, then with leases ------------------------------


def killed_then_finished(replica: Replica, out: Path, redis_url: str, prefix: str, **settings: Any) -> str:
    """One worker killed at its 2nd document response, then two more that finish the run; returns
    the URL the killed worker had received but not yet handled."""
    replica.clear_log()
    settings = {**AFTER_A_KILL, **settings}
    (killed,) = run_workers(
        replica, out, redis_url, prefix, 1, (KILLED_SITE,), NIANBAO_TEST_SIGKILL_AFTER_DOCUMENTS=2, **settings
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    url = re.search(r"nianbao: SIGKILL \S+ at (\S+)", killed.stderr)
    assert url is not None
    survivors = run_workers(replica, out, redis_url, prefix, 2, (KILLED_SITE,), **settings)
    assert {w.returncode for w in survivors} <= {EXIT_OK, EXIT_DEGRADED}, [
        w.stderr[-2000:] for w in survivors
    ]
    return url.group(1)


def site_documents(replica: Replica) -> set[str]:
    return {replica.url + path for report in replica.truth[KILLED_SITE] for path in report.documents}


def test_scrapy_redis_alone_loses_a_killed_workers_request(
    replica: Replica, redis_server: LocalRedis, tmp_path: Path
) -> None:
    url = killed_then_finished(replica, tmp_path, redis_server.url, "plain", **PLAIN_SCRAPY_REDIS)
    assert sum(replica.url + e.target == url for e in replica.log) == 1  # never asked again
    assert url not in {r.url for r in RawArchive(tmp_path).records()}
    parsed = {line["url"] for line in parsed_lines(tmp_path)}
    assert url in site_documents(replica) - parsed  # a report missing from the run


def test_leases_bring_back_a_killed_workers_requests(
    replica: Replica, redis_server: LocalRedis, tmp_path: Path
) -> None:
    url = killed_then_finished(replica, tmp_path, redis_server.url, "leased")
    assert sum(replica.url + e.target == url for e in replica.log) >= 2  # the killed fetch, then again
    lines = parsed_lines(tmp_path)
    by_url = {line["url"]: line for line in lines}
    assert set(by_url) == site_documents(replica)  # every report …
    assert len(lines) == len({line["sha256"] for line in lines}) == N_REPORTS  # … exactly once
    for line in lines:
        assert line["report"]["status"] == "ok" and cell_errors(line, replica) == []


def test_a_bad_redis_url_is_a_one_line_error(replica: Replica, tmp_path: Path) -> None:
    for url in ("http://127.0.0.1:1/", "redis://127.0.0.1:1/0"):
        command = crawl_command(replica.registry_path, tmp_path, allow_hosts=[replica.host], redis_url=url)
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO)
        assert done.returncode == 2
        assert done.stderr.startswith("nianbao crawl: --redis") and done.stderr.count("\n") == 1
        assert "Traceback" not in done.stderr
