"""`nianbao discover URL...`: find the annual-report columns of government portals and write them as
candidate registry entries (YAML), leaving out columns the registry already holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pipeline.cli import UsageError, verbosity
from pipeline.commands.crawl import add_fetch_arguments
from pipeline.commands.sites import add_registry_argument
from pipeline.registry import load_registry, url_problem

if TYPE_CHECKING:
    from spiders.discover import DiscoverSpider

# The crawl's components that keep its archive, state and run summary: discovery keeps none.
_CRAWL_ONLY = {
    "DOWNLOADER_MIDDLEWARES": (
        "pipeline.crawl.middlewares.ScopeGuardMiddleware",
        "pipeline.crawl.middlewares.ConditionalRequestMiddleware",
        "pipeline.crawl.middlewares.SiteStatsMiddleware",
        "pipeline.crawl.warc.WarcMiddleware",
    ),
    "ITEM_PIPELINES": (
        "pipeline.crawl.pipelines.ArchivePipeline",
        "pipeline.crawl.pipelines.ParsePipeline",
        "pipeline.crawl.pipelines.OutputsPipeline",
    ),
    "EXTENSIONS": ("pipeline.crawl.summary.RunSummary",),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "discover",
        help="find the report columns of government portals; print candidate registry entries",
        description="Start from portal home pages (or their 政府信息公开 pages), follow 政务公开 / 信息公开 "
        "links, 信息公开目录 trees and the agencies' own 信息公开平台 sub-sites to their 政府信息公开年报 "
        "columns; a column counts once a report link is seen in it. Writes candidate registry entries "
        "(verified: false) as YAML, none that the registry already holds.",
    )
    parser.add_argument("urls", nargs="+", metavar="URL", help="portal home or 政府信息公开 page")
    add_registry_argument(parser, "registry whose columns to leave out")
    parser.add_argument("--out", metavar="FILE", help="write the YAML here (default: standard output)")
    parser.add_argument(
        "--max-hops", type=int, default=5, help="links followed from a start URL (default: 5)"
    )
    parser.add_argument("--max-pages", type=int, default=400, help="pages per start URL (default: 400)")
    add_fetch_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    allow = frozenset(h.strip().lower() for h in args.allow_host)
    bad = [f"{url}: {problem}" for url in args.urls if (problem := url_problem(url, allow))]
    if bad:
        raise UsageError(f"not an official URL: {'; '.join(bad)}")
    registry = load_registry(args.sites, allow_hosts=allow) if Path(args.sites).exists() else []
    spider = _crawl(args, registry, allow)
    from pipeline.discover import candidate_entries

    entries = list(candidate_entries(spider.found.values(), taken_ids=(e.id for e in registry)))
    text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=110) if entries else ""
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    counts = spider.counts
    print(
        f"nianbao discover: {len(entries)} column(s) found, {counts['columns/already_registered']} already "
        f"in the registry, {counts['pages']} page(s) fetched, {counts['errors/fetch']} fetch error(s), "
        f"{counts['errors/challenge']} challenge page(s)",
        file=sys.stderr,
    )
    return 3 if counts["pages"] == 0 else 0


def _crawl(args: argparse.Namespace, registry: list, allow: frozenset[str]) -> DiscoverSpider:
    from scrapy.crawler import CrawlerProcess

    from pipeline.crawl.runner import crawl_settings, verbosity_settings
    from pipeline.discover import known_columns
    from spiders.discover import DiscoverSpider

    settings = crawl_settings({**verbosity_settings(verbosity(args)), **dict(args.set)})
    for key, components in _CRAWL_ONLY.items():
        settings.set(key, {**settings.getdict(key), **dict.fromkeys(components)}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DiscoverSpider)
    process.crawl(
        crawler,
        urls=args.urls,
        known=known_columns(registry),
        allow_hosts=allow,
        max_hops=args.max_hops,
        max_pages=args.max_pages,
    )
    process.start()
    spider = crawler.spider
    if not isinstance(spider, DiscoverSpider):
        raise RuntimeError("the discover crawl ended without its spider")
    return spider
