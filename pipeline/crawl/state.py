"""The crawl's memory between nights: what each URL served last time, and how each site's run went.

SQLite under `OUT/state/state.sqlite`. The raw archive keeps the bytes; this keeps what the next
run needs to skip unchanged documents, send conditional requests for list pages, resume an
interrupted crawl, and notice a site or a list page that stopped yielding reports.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status INTEGER NOT NULL,
    sha256 TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL,
    report_links INTEGER NOT NULL DEFAULT -1
);
CREATE TABLE IF NOT EXISTS site_runs (
    run_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    complete INTEGER NOT NULL,
    reports_found INTEGER NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (run_id, site_id)
);
"""


@dataclass
class UrlState:
    url: str
    site_id: str
    kind: str  # "list", "page" or "attachment"
    status: int  # HTTP status of the last fetch (2xx: archived as sha256)
    sha256: str = ""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    fetched_at: str = ""
    report_links: int = -1  # list pages: report links recognised on the page (-1: not a list)


@dataclass
class SiteRun:
    run_id: str
    site_id: str
    complete: bool  # the run finished (not interrupted) for this site
    reports_found: int
    summary: dict[str, Any]


class StateStore:
    def __init__(self, out: str | Path) -> None:
        path = Path(out) / "state" / "state.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection, used from the reactor thread only; autocommit keeps every write durable
        # at once, so an interrupted crawl loses nothing it had archived.
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def get(self, url: str) -> UrlState | None:
        row = self.db.execute(f"SELECT {_columns(UrlState)} FROM urls WHERE url = ?", (url,)).fetchone()
        return UrlState(*row) if row else None

    def put(self, state: UrlState) -> None:
        names = _columns(UrlState)
        marks = ", ".join("?" * len(fields(UrlState)))
        self.db.execute(f"INSERT OR REPLACE INTO urls ({names}) VALUES ({marks})", astuple(state))

    def is_done(self, url: str, *, retry_client_errors: bool) -> bool:
        """A document already archived, or refused for good (4xx) unless those are to be retried."""
        state = self.get(url)
        if state is None or state.kind == "list":
            return False
        return 200 <= state.status < 300 or (400 <= state.status < 500 and not retry_client_errors)

    def put_site_run(self, run: SiteRun) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO site_runs VALUES (?, ?, ?, ?, ?)",
            (run.run_id, run.site_id, int(run.complete), run.reports_found, json.dumps(run.summary)),
        )

    def last_site_run(self, site_id: str, *, before: str) -> SiteRun | None:
        """The newest run of a site older than run `before` (run ids sort by time)."""
        row = self.db.execute(
            "SELECT * FROM site_runs WHERE site_id = ? AND run_id < ? ORDER BY run_id DESC LIMIT 1",
            (site_id, before),
        ).fetchone()
        if row is None:
            return None
        return SiteRun(row[0], row[1], bool(row[2]), row[3], json.loads(row[4]))

    def close(self) -> None:
        self.db.close()


def _columns(cls: type) -> str:
    return ", ".join(f.name for f in fields(cls))
