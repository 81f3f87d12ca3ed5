"""The crawl's memory between nights: what each URL served last time, and how each site's run went.

SQLite under `OUT/state/state.sqlite`. The raw archive keeps the bytes; this keeps what the next
run needs to skip unchanged documents, send conditional requests for list pages, resume an
interrupted crawl, notice a site or a list page that stopped yielding reports, and keep each
site's health across nights (`nianbao health`).
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
CREATE TABLE IF NOT EXISTS site_health (
    site_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    signals TEXT NOT NULL,
    last_run_id TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    last_success TEXT NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    verified INTEGER NOT NULL DEFAULT 0,
    verified_at TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT ''
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


@dataclass
class SiteHealth:
    """How a site fared on its latest night, and since when it has been failing."""

    site_id: str
    status: str  # "ok", "degraded" or "failed" (pipeline.crawl.health)
    signals: list[str]  # named signals that the site changed under us (health.SIGNALS)
    last_run_id: str
    checked_at: str
    last_success: str = ""  # when the site was last "ok"
    consecutive_failures: int = 0  # nights not "ok" since then
    verified: bool = False  # a crawl has confirmed the column: it served reports
    verified_at: str = ""
    evidence: str = ""  # a report URL found on the night that verified it


class StateStore:
    def __init__(self, out: str | Path) -> None:
        path = Path(out) / "state" / "state.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection, used from the reactor thread only; autocommit keeps every write durable
        # at once, so an interrupted crawl loses nothing it had archived. Workers of a shared crawl
        # (`--redis`) on one machine write the same file: WAL lets readers go on during a write,
        # and a writer waits up to `timeout` seconds for another's one-statement transaction.
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
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

    def site_runs(self, limit: int) -> list[SiteRun]:
        """Every site's runs among the `limit` newest runs, oldest first."""
        rows = self.db.execute(
            "SELECT * FROM site_runs WHERE run_id IN "
            "(SELECT DISTINCT run_id FROM site_runs ORDER BY run_id DESC LIMIT ?) ORDER BY run_id, site_id",
            (limit,),
        ).fetchall()
        return [SiteRun(r[0], r[1], bool(r[2]), r[3], json.loads(r[4])) for r in rows]

    def get_health(self, site_id: str) -> SiteHealth | None:
        row = self.db.execute(
            f"SELECT {_columns(SiteHealth)} FROM site_health WHERE site_id = ?", (site_id,)
        ).fetchone()
        return _health(row) if row else None

    def all_health(self) -> list[SiteHealth]:
        rows = self.db.execute(f"SELECT {_columns(SiteHealth)} FROM site_health ORDER BY site_id")
        return [_health(row) for row in rows]

    def put_health(self, health: SiteHealth) -> None:
        values = list(astuple(health))
        values[2] = json.dumps(health.signals)
        values[7] = int(health.verified)
        marks = ", ".join("?" * len(values))
        self.db.execute(
            f"INSERT OR REPLACE INTO site_health ({_columns(SiteHealth)}) VALUES ({marks})", values
        )

    def close(self) -> None:
        self.db.close()


def _health(row: tuple[Any, ...]) -> SiteHealth:
    health = SiteHealth(*row)
    health.signals = json.loads(row[2])
    health.verified = bool(row[7])
    return health


def _columns(cls: type) -> str:
    return ", ".join(f.name for f in fields(cls))
