"""Running a crawl: the registry is checked first (a bad one is the only fatal error), then one
Scrapy crawl of the `reports` spider runs in this process.

Twisted's reactor cannot be restarted, so a process runs one crawl; tests and the benchmark run
each crawl in a subprocess (`crawl_command` builds its command line).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from pipeline.crawl.context import new_run_id
from pipeline.crawl.sites import load_sites, select_sites
from pipeline.processes import remove_stale_temp

# For loopback replicas only (tests, benchmark, demo): no throttling, no delays, short backoff.
POLITENESS_OFF: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "NIANBAO_RETRY_BACKOFF": 0.1,
}


def crawl_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("pipeline.settings", priority="project")
    settings.update(dict(overrides or {}), priority="cmdline")
    return settings


def run_crawl(
    sites: str | Path,
    out: str | Path,
    *,
    full: bool = False,
    site_ids: Iterable[str] = (),
    allow_hosts: Iterable[str] = (),
    overrides: Mapping[str, Any] | None = None,
    verbosity: int = 1,
    redis_url: str | None = None,
) -> dict[str, Any]:
    """Crawl the registry's sites into `out`; returns the run summary. Raises RegistryError (or
    ValueError for an unknown site id, DistributedError for an unusable Redis) before anything is
    fetched.

    With `redis_url`, this process is one worker of a crawl shared through Redis
    (pipeline.crawl.distributed): it joins the current run (or starts one), and returns the run
    summary if it was the worker that ended the run, else `{"run_id", "worker", "finish_reason",
    "sites": {}}` (the run's summary is the finishing worker's to write).

    `verbosity` (the command line's -q/-v: -1, 0, 1, 2) sets the log level and whether Scrapy dumps
    its stats and the run prints its tables; an explicit `LOG_LEVEL` override wins.

    Call it once per process, from a script guarded by `if __name__ == "__main__"`: the parse
    workers are started with forkserver, which imports the main module.
    """
    allow_hosts, site_ids = list(allow_hosts), list(site_ids)
    select_sites(load_sites(sites, allow_hosts), site_ids, sites)
    from spiders.reports import ReportsSpider

    remove_stale_temp()  # what a killed run left in /tmp
    settings = crawl_settings({**verbosity_settings(verbosity), **dict(overrides or {})})
    if verbosity < 1:
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(without_traceback)
    run_id, worker, crawler = new_run_id(), "", None
    if redis_url:
        from pipeline.crawl.distributed import distributed_settings, join_run, worker_id
        from pipeline.crawl.shared import LeasingCrawler

        prefix = settings.get("NIANBAO_REDIS_PREFIX")
        run_id = join_run(redis_url, prefix, settings.get("NIANBAO_REDIS_RUN"))
        worker = worker_id()
        settings.update(distributed_settings(redis_url, prefix, run_id), priority="project")
        crawler = LeasingCrawler(ReportsSpider, settings, init_reactor=True)
    process = CrawlerProcess(settings)
    process.crawl(
        crawler or ReportsSpider,
        sites=str(sites),
        out=str(out),
        full="1" if full else "",
        site=",".join(site_ids),
        allow_hosts=",".join(allow_hosts),
        run_id=run_id,
        worker=worker,
    )
    process.start()
    summary = Path(out) / "state" / "runs" / f"{run_id}.json"
    result: dict[str, Any] = json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}
    if crawler is not None and result.get("finished_by") != worker:
        # Another worker ends the run and writes its summary (perhaps not yet): this one's part.
        reason = crawler.stats.get_value("finish_reason")
        return {"run_id": run_id, "worker": worker, "finish_reason": reason, "sites": {}}
    return result


def without_traceback(record: logging.LogRecord) -> bool:
    """A logged error on its one line: a site that cannot serve robots.txt fails, named and counted
    in the run summary, so Scrapy's traceback of the download error is only shown with -v."""
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return True


def verbosity_settings(verbosity: int) -> dict[str, Any]:
    """Quiet by default: warnings and the run's own tables; Scrapy's settings and stats with -v."""
    level = {-1: "ERROR", 0: "WARNING", 1: "INFO", 2: "DEBUG"}[max(-1, min(2, verbosity))]
    return {"LOG_LEVEL": level, "STATS_DUMP": verbosity > 0, "NIANBAO_PRINT_SUMMARY": verbosity >= 0}


def crawl_command(
    sites: str | Path,
    out: str | Path,
    *,
    full: bool = False,
    site_ids: Iterable[str] = (),
    allow_hosts: Iterable[str] = (),
    overrides: Mapping[str, Any] | None = None,
    command_name: str = "crawl",
    redis_url: str | None = None,
) -> list[str]:
    """The `nianbao crawl` (or `nightly`) command line for the same arguments (to run a crawl in a
    subprocess)."""
    command = [sys.executable, "-m", "pipeline.cli", command_name, "--sites", str(sites), "--out", str(out)]
    command += ["--full"] if full else []
    command += ["--redis", redis_url] if redis_url else []
    command += [arg for site_id in site_ids for arg in ("--site", site_id)]
    command += [arg for host in allow_hosts for arg in ("--allow-host", host)]
    command += [arg for key, value in (overrides or {}).items() for arg in ("--set", f"{key}={value}")]
    return command
