"""Replica sites of each CMS family, served on 127.0.0.1, for tests, the benchmark and the demo.

    from pipeline.replica import start_replica
    replica = start_replica(seed=0, n_reports_per_site=6)
    replica.url, replica.registry_path, replica.truth      # then crawl, compare, …
    replica.stop()

The layout (paths, reports, quirks) depends on the seed alone; `truth` holds every report's ground
truth with the absolute URLs of the documents that carry it, and `log` every request served.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.replica.layout import CALENDAR, OFFSITE, ROBOTS_DISALLOWED, ExpectedReport, Layout, build_layout
from pipeline.replica.portals import Portal, add_portals
from pipeline.replica.server import LoggedRequest, ReplicaServer

# A fixed Last-Modified: the replica's pages never change unless a test changes them.
_LAST_MODIFIED = 1_704_067_200.0  # 2024-01-01


@dataclass(frozen=True)
class ExpectedDocument:
    url: str
    report: ExpectedReport


@dataclass
class Replica:
    url: str  # http://127.0.0.1:PORT
    registry_path: Path
    truth: dict[str, list[ExpectedReport]]  # site id -> its reports (document paths relative to `url`)
    layout: Layout
    server: ReplicaServer
    _thread: threading.Thread = field(repr=False)
    portals: dict[str, Portal] = field(default_factory=dict)  # portals to discover columns from

    @property
    def host(self) -> str:
        """`127.0.0.1:PORT`, the host to allow when loading the replica's registry."""
        return self.url.removeprefix("http://")

    @property
    def log(self) -> list[LoggedRequest]:
        return list(self.server.log)

    def clear_log(self) -> None:
        self.server.log.clear()

    def documents(self) -> dict[str, ExpectedDocument]:
        """Absolute URL -> the report it carries whole, over every site."""
        return {
            self.url + path: ExpectedDocument(self.url + path, report)
            for reports in self.truth.values()
            for report in reports
            for path in report.documents
        }

    def is_list_request(self, entry: LoggedRequest) -> bool:
        """A list page, a paging endpoint or robots.txt (what an unchanged site costs)."""
        lists = self.layout.list_paths
        target = entry.target + "index.html" if entry.target.endswith("/") else entry.target
        return entry.path == "/robots.txt" or target in lists or entry.path in lists

    @property
    def traps(self) -> dict[str, str]:
        """Path prefixes a polite, trap-proof crawl never requests."""
        return {"robots_disallowed": ROBOTS_DISALLOWED, "calendar": CALENDAR, "offsite": OFFSITE}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def start_replica(seed: int = 0, n_reports_per_site: int = 6, workdir: str | Path | None = None) -> Replica:
    """Start the replica sites in a background thread; writes `sites.yaml` into `workdir` (a new
    temporary folder by default)."""
    layout = build_layout(seed, n_reports_per_site)
    portals = add_portals(layout)
    server = ReplicaServer(layout, _LAST_MODIFIED)
    thread = threading.Thread(target=server.serve_forever, name="nianbao-replica", daemon=True)
    thread.start()
    folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="nianbao-replica-"))
    folder.mkdir(parents=True, exist_ok=True)
    registry_path = folder / "sites.yaml"
    entries = [{**e, "start_urls": [server.base_url + u for u in e["start_urls"]]} for e in layout.registry]
    registry_path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Replica(server.base_url, registry_path, layout.truth, layout, server, thread, portals)


__all__ = ["ExpectedDocument", "ExpectedReport", "LoggedRequest", "Replica", "start_replica"]
