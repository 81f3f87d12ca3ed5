"""`nianbao crawl`: find, fetch, archive and parse the annual reports of the registry's sites.

The options are defined here once; `nianbao nightly` takes the same ones (`add_crawl_arguments`).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.cli import EXIT_DEGRADED, EXIT_NOTHING_CRAWLED, EXIT_OK, ConfigError, UsageError, verbosity
from pipeline.commands.sites import add_registry_argument
from pipeline.crawl.health import ALERT_ENV, run_alert_hook
from pipeline.crawl.sites import load_sites, select_sites
from pipeline.datasets import DEFAULT_OUT
from pipeline.lock import OutputLock, describe
from pipeline.registry import RegistryError, SiteEntry


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl the sites of a registry, archive what they serve, parse the reports",
        description="Crawl the report columns of the registry's sites into OUT: raw archive and WARC "
        "files under OUT/archive, parsed reports in OUT/parsed/reports.jsonl, datasets and text, "
        "state, site health and run summaries under OUT/state. Exit status: 0 all well, 1 some "
        "sites failed or degraded, 2 bad configuration or arguments (or OUT locked by another "
        "run), 3 nothing could be crawled.",
    )
    add_crawl_arguments(parser)
    parser.set_defaults(func=run)


def setting(text: str) -> tuple[str, str]:
    """`--set NAME=VALUE`, NAME a setting Scrapy or nianbao knows (a typo is an error, not a no-op)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    known = known_settings()
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise argparse.ArgumentTypeError(f"unknown setting {name!r}{hint}")
    return name, value


def known_settings() -> list[str]:
    """Scrapy's settings and nianbao's own (pipeline/settings.py)."""
    from scrapy.settings import default_settings

    from pipeline import settings

    return sorted({n for module in (default_settings, settings) for n in dir(module) if n.isupper()})


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of every command that fetches (`crawl`, `nightly`, `discover`)."""
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="accept a loopback host in the registry (replica sites only)",
    )
    parser.add_argument(
        "--set",
        action="append",
        type=setting,
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting (e.g. AUTOTHROTTLE_ENABLED=False for a loopback replica)",
    )


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `crawl`, shared by `nightly`."""
    add_registry_argument(parser)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--full", action="store_true", help="fetch everything again, not only what changed")
    parser.add_argument(
        "--site",
        action="extend",
        nargs="+",
        default=[],
        metavar="ID",
        help="crawl only these sites (`--site a b` or `--site a --site b`)",
    )
    add_fetch_arguments(parser)
    parser.add_argument(
        "--alert-cmd",
        metavar="CMD",
        default=os.environ.get(ALERT_ENV) or None,
        help=f"shell command run with a JSON summary on stdin when a site degrades or recovers "
        f"(default: ${ALERT_ENV})",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="be one worker of a crawl shared through Redis (redis://HOST:PORT/DB): start it on any "
        "number of machines with the same --sites and a shared --out; see docs/scale.md",
    )


@contextmanager
def output_lock(args: argparse.Namespace) -> Iterator[None]:
    """Hold the lock on OUT for a command (a lock left by a dead run is taken over, and said so)."""
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is not a folder")
    if getattr(args, "redis", None):  # the workers of a shared crawl share OUT (docs/scale.md)
        yield
        return
    with OutputLock(args.out) as lock:
        if lock.previous and verbosity(args) >= 0:
            print(f"took over the lock of a run that is gone: {describe(lock.previous)}", file=sys.stderr)
        yield


def check_sites(args: argparse.Namespace) -> list[SiteEntry]:
    """The registry entries to crawl; ConfigError for a missing or bad registry or an unknown id."""
    if not Path(args.sites).exists():
        raise ConfigError(f"no such registry: {args.sites}")
    try:
        return select_sites(load_sites(args.sites, args.allow_host), args.site, args.sites)
    except RegistryError:
        raise
    except ValueError as exc:  # an unknown site id, a non-loopback --allow-host
        raise ConfigError(str(exc)) from exc


def crawl(args: argparse.Namespace) -> dict[str, Any]:
    """Crawl (under the caller's lock); returns the run summary, with each site's health ({}, and
    a line on stderr, when the run ended without writing it: the summary is a run's last write)."""
    from pipeline.crawl.pipelines import DISK_FULL
    from pipeline.crawl.runner import run_crawl

    try:
        summary = run_crawl(
            args.sites,
            args.out,
            full=args.full,
            site_ids=args.site,
            allow_hosts=args.allow_host,
            overrides=dict(args.set),
            verbosity=verbosity(args),
            redis_url=args.redis,
        )
    except RegistryError:
        raise
    except ValueError as exc:  # a Scrapy setting of the wrong type
        raise ConfigError(str(exc)) from exc
    if not summary:
        print(
            f"nianbao {args.command}: no run summary under {args.out}/state/runs (see the log)",
            file=sys.stderr,
        )
    elif summary.get("finish_reason") == DISK_FULL:
        print(f"nianbao {args.command}: stopped: the disk under {args.out} is full", file=sys.stderr)
    return summary


def alert(args: argparse.Namespace, summary: dict[str, Any], **extra: str) -> None:
    """Run the alert hook if a site's health changed tonight."""
    if summary.get("health_changes") and args.alert_cmd:
        run_alert_hook(args.alert_cmd, summary, args.out, **extra)


def exit_status(summary: dict[str, Any]) -> int:
    """0 all well; 1 the run completed but some sites failed or degraded, or it was cut short (a
    signal, a full disk, no summary written); 3 no site could be crawled at all."""
    statuses = [site["status"] for site in summary.get("sites", {}).values()]
    if statuses and all(status == "failed" for status in statuses):
        return EXIT_NOTHING_CRAWLED
    if summary.get("finish_reason") != "finished" or any(status != "ok" for status in statuses):
        return EXIT_DEGRADED
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    check_sites(args)  # before the lock: a bad registry or site id leaves OUT untouched
    with output_lock(args):
        summary = crawl(args)
    alert(args, summary)
    return exit_status(summary)
