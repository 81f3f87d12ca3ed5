"""Where a crawl may go: the site's hosts, and guards against URL spaces that never end.

Every request passes `Scope.refusal` (in a downloader middleware, so redirects are checked too).
A crawl always ends because list pages are capped per site, sub-columns are depth-limited, and
the URL shapes of traps (session ids, calendars, query explosions, ever-growing paths) are refused.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipeline.crawl.urls import SESSION_PARAMS, host_of

# Query parameters of calendar widgets and date archives ("?date=2024-01-02", "?year=2024&month=1").
_CALENDAR_PARAMS = frozenset({"date", "day", "month", "riqi", "rq", "calendar", "ymd", "yearmonth", "time"})
_DATE_VALUE = re.compile(r"^(19|20)\d{2}[-/.]\d{1,2}([-/.]\d{1,2})?$")


@dataclass(frozen=True)
class Limits:
    max_list_pages: int = 200  # list pages per site per run (registry `max_pages` overrides)
    max_query_variants: int = 40  # distinct query strings per path
    max_path_segments: int = 14
    max_url_length: int = 512
    max_segment_repeats: int = 2  # `/a/b/a/b/a/…` grows forever on relative-link bugs


@dataclass(frozen=True)
class SiteScope:
    """What the scope needs to know of one registry entry."""

    site_id: str
    hosts: frozenset[str]  # `host` or `host:port` of the start URLs
    max_pages: int | None = None


@dataclass
class Scope:
    limits: Limits = field(default_factory=Limits)
    _variants: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _list_pages: Counter[str] = field(default_factory=Counter)

    def refusal(self, url: str, site: SiteScope, *, kind: str, trusted: bool = False) -> str | None:
        """Why a request must not be made (None when it may). `trusted` marks URLs an adapter built
        itself (year enumeration, dataproxy paging), which are exempt from the calendar guard."""
        if kind != "attachment" and host_of(url) not in site.hosts:
            return "offsite"
        reason = trap_reason(url, self.limits, trusted=trusted)
        if reason or kind != "list":
            return reason
        # Only list pages explode (calendars, filters); documents are only as many as lists link.
        if not trusted and self._explodes(url):
            return "query_explosion"
        if self._list_pages[site.site_id] >= (site.max_pages or self.limits.max_list_pages):
            return "max_pages"
        self._list_pages[site.site_id] += 1
        return None

    def _explodes(self, url: str) -> bool:
        parts = urlsplit(url)
        if not parts.query:
            return False
        seen = self._variants[f"{parts.netloc}{parts.path}"]
        if parts.query not in seen and len(seen) >= self.limits.max_query_variants:
            return True
        seen.add(parts.query)
        return False


def trap_reason(url: str, limits: Limits, *, trusted: bool = False) -> str | None:
    """The trap a URL's shape gives away, if any (pure: no memory of other URLs)."""
    if len(url) > limits.max_url_length:
        return "url_too_long"
    parts = urlsplit(url)
    lowered = url.lower()
    if ";jsessionid=" in lowered or any(
        p.split("=", 1)[0].lower() in SESSION_PARAMS for p in parts.query.split("&") if p
    ):
        return "session_id"
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > limits.max_path_segments:
        return "path_too_deep"
    if segments and max(Counter(segments).values()) > limits.max_segment_repeats:
        return "repeating_path"
    if not trusted and _is_calendar(parts.query):
        return "calendar"
    return None


def _is_calendar(query: str) -> bool:
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name.lower() in _CALENDAR_PARAMS or _DATE_VALUE.match(value):
            return True
    return False
