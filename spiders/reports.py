"""`reports`: the one registry-driven spider (sites as data, CMS families as adapters).

scrapy crawl reports -a sites=data/sites.yaml -a out=data/out [-a full=1] [-a site=ID,ID]
nianbao crawl --sites data/sites.yaml --out data/out [--full] [--site ID ...]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.crawl.context import CrawlContext, new_run_id
from pipeline.crawl.fetch_policy import FetchPolicy, allowed_hosts
from pipeline.crawl.sites import load_sites, select_sites
from pipeline.registry import DEFAULT_REGISTRY
from spiders.base import ReportSpiderBase


def _flag(value: str | bool) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class ReportsSpider(ReportSpiderBase):
    name = "reports"

    def __init__(
        self,
        sites: str = str(DEFAULT_REGISTRY),
        out: str = "data/out",
        full: str = "",
        site: str = "",
        allow_hosts: str = "",
        run_id: str = "",
        worker: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        entries = {e.id: e for e in select_sites(load_sites(sites, _ids(allow_hosts)), _ids(site), sites)}
        self.ctx = CrawlContext(
            out=Path(out),
            run_id=run_id or new_run_id(),
            full=_flag(full),
            entries=entries,
            fetch_policy=FetchPolicy(allowed_hosts(_ids(allow_hosts))),
            worker=worker,
        )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # A registry `delay` becomes the download slot of the site's hosts (settings are not frozen yet).
        slots = dict(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        for entry in spider.ctx.entries.values():
            if entry.delay is not None:
                for host in spider.ctx.scopes[entry.id].hosts:
                    slots[host.split(":")[0]] = {"delay": entry.delay, "concurrency": 2}
        crawler.settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        return spider  # type: ignore[return-value]
