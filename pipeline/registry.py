"""The sites registry: which report columns (政府信息公开年报 columns) of which official sites to crawl.

The registry is YAML: one file, or a folder of `*.yaml` files merged in filename order. Each entry is
one report column of one agency. Loading checks every entry and reports every problem at once, so a
contributor fixes a file in one pass; nothing is crawled from a registry that does not load.

Only official hosts are accepted: gov.cn and its subdomains, plus the few raw-IP hosts listed with
evidence in `pipeline/data/official-hosts.yaml`. Spam mirrors of gov pages copy report URLs onto
their own domains, so a host check is the line between archiving a report and archiving spam.
"""

from __future__ import annotations

import codecs
import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

# The registry shipped with nianbao, inside the package so `pip install .` carries it; its one
# home (data/sites.yaml in the repository is a symlink to it).
DEFAULT_REGISTRY = Path(__file__).resolve().parent / "data" / "sites.yaml"

LEVELS = frozenset({"province", "city", "county", "township", "department"})
# One name per adapter in spiders/adapters (tests/test_adapters.py ties the two).
CMS_FAMILIES = frozenset(
    {"trs", "hanweb", "vsb", "empire", "kaipuyun", "gdcms", "zj_annual", "epoint", "spa_json", "files"}
    | {"generic"}
)
REQUIRED_KEYS = ("id", "agency", "start_urls")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_REGION_RE = re.compile(r"^\d{6}$")
# Report years: the 2007 条例 made reports annual from 2008; a little slack for local forerunners.
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


class RegistryError(ValueError):
    """The registry cannot be used; `problems` lists every problem, each prefixed with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        super().__init__(f"{count} in the sites registry:\n" + "\n".join(problems))


@dataclass(frozen=True)
class SiteEntry:
    """One report column of one official site, with optional crawl overrides."""

    id: str
    agency: str
    start_urls: tuple[str, ...]
    name: str | None = None
    region_code: str | None = None  # GB/T 2260, six digits
    level: str | None = None  # one of LEVELS
    cms: str | None = None  # one of CMS_FAMILIES
    evidence: str | None = None  # a URL where a report of this column was seen
    verified: bool = False  # true only once a real crawl has confirmed the column
    notes: str | None = None
    link_pattern: str | None = None  # regex for report detail links
    pagination_pattern: str | None = None  # regex for further list pages
    encoding: str | None = None  # forced page encoding, when the declared one lies
    delay: float | None = None  # seconds between requests to this site
    max_pages: int | None = None  # list pages to follow at most
    years: tuple[int, ...] = ()  # report years to enumerate on year-parameter platforms


KNOWN_KEYS = tuple(f.name for f in fields(SiteEntry))


# --- hosts -----------------------------------------------------------------------------------------


def official_host(host: str) -> bool:
    """Whether a host (optionally `host:port`) belongs to an official government site.

    gov.cn and its subdomains match whatever the port; allow-listed hosts match exactly as listed.
    """
    host = host.strip().lower().rstrip(".")
    if host in allowed_hosts():
        return True
    name = _without_port(host)
    return name == "gov.cn" or name.endswith(".gov.cn")


def _without_port(host: str) -> str:
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() else host


@cache
def allowed_hosts() -> frozenset[str]:
    """The hosts of `pipeline/data/official-hosts.yaml`, lower-cased."""
    text = resources.files("pipeline.data").joinpath("official-hosts.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    entries = data if isinstance(data, list) else []
    hosts = [item["host"] for item in entries if isinstance(item, dict) and isinstance(item.get("host"), str)]
    if not hosts or len(hosts) != len(entries):
        raise RegistryError(["pipeline/data/official-hosts.yaml: expected a list of mappings with a `host`"])
    return frozenset(h.strip().lower() for h in hosts)


def url_problem(url: Any, allow_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why a value is not an official http(s) URL, or None when it is one.

    `allow_hosts` admits further hosts (`host:port` as written) for this check only.
    """
    if not isinstance(url, str) or not url.strip():
        return f"expected a URL, got {url!r}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"URL scheme must be http or https: {url}"
    if "@" in parts.netloc:
        # `http://www.gov.cn@mirror.com/` would pass a naive host check.
        return f"URL must not carry user info: {url}"
    try:
        port = parts.port
    except ValueError:
        return f"URL has a bad port: {url}"
    if not parts.hostname:
        return f"URL has no host: {url}"
    host = parts.hostname + (f":{port}" if port is not None else "")
    if host not in allow_hosts and not official_host(host):
        return f"not an official host (gov.cn or pipeline/data/official-hosts.yaml): {host}"
    return None


# --- field checks ----------------------------------------------------------------------------------
# Each check returns the problems of one value; an empty list means the value is fine.

Check = Callable[[Any], list[str]]


def _text(value: Any) -> list[str]:
    return [] if isinstance(value, str) and value.strip() else [f"expected non-empty text, got {value!r}"]


def _site_id(value: Any) -> list[str]:
    if isinstance(value, str) and _ID_RE.match(value):
        return []
    return [f"bad id {value!r}: use lower-case ascii letters, digits, '-' and '_' (e.g. hl-jms-qianjin)"]


def _start_urls(value: Any, allow_hosts: frozenset[str]) -> list[str]:
    if not isinstance(value, list):
        return [f"start_urls must be a list of URLs, got {type(value).__name__}"]
    if not value:
        return ["start_urls is empty"]
    return [f"start_urls: {p}" for url in value if (p := url_problem(url, allow_hosts))]


def _evidence(value: Any, allow_hosts: frozenset[str]) -> list[str]:
    problem = url_problem(value, allow_hosts)
    return [f"evidence: {problem}"] if problem else []


def _region_code(value: Any) -> list[str]:
    # An unquoted code is read by YAML as an int; the leading digit is never 0, so both forms are safe.
    code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(code, str) and _REGION_RE.match(code):
        return []
    return [f"bad region_code {value!r}: expected six digits (GB/T 2260)"]


def _one_of(allowed: frozenset[str], key: str) -> Check:
    def check(value: Any) -> list[str]:
        if value in allowed:
            return []
        return [f"unknown {key} {value!r}: expected one of {', '.join(sorted(allowed))}"]

    return check


def _flag(value: Any) -> list[str]:
    return [] if isinstance(value, bool) else [f"expected true or false, got {value!r}"]


def _regex(value: Any) -> list[str]:
    if not isinstance(value, str):
        return [f"expected a regular expression as text, got {value!r}"]
    try:
        re.compile(value)
    except re.error as exc:
        return [f"invalid regular expression {value!r}: {exc}"]
    return []


def _encoding(value: Any) -> list[str]:
    try:
        codecs.lookup(value)
    except (LookupError, TypeError):
        return [f"unknown encoding {value!r}"]
    return []


def _delay(value: Any) -> list[str]:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return []
    return [f"delay must be a number of seconds >= 0, got {value!r}"]


def _max_pages(value: Any) -> list[str]:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return []
    return [f"max_pages must be a whole number >= 1, got {value!r}"]


def _years(value: Any) -> list[str]:
    if not isinstance(value, list):
        return [f"years must be a list of years, got {value!r}"]
    bad = [y for y in value if not _is_year(y)]
    return [f"years: not report years {bad!r}"] if bad else []


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and _FIRST_YEAR <= value <= _LAST_YEAR


CHECKS: dict[str, Check] = {
    "id": _site_id,
    "agency": _text,
    "name": _text,
    "region_code": _region_code,
    "level": _one_of(LEVELS, "level"),
    "cms": _one_of(CMS_FAMILIES, "cms"),
    "verified": _flag,
    "notes": _text,
    "link_pattern": _regex,
    "pagination_pattern": _regex,
    "encoding": _encoding,
    "delay": _delay,
    "max_pages": _max_pages,
    "years": _years,
}
# URL fields are checked against the official hosts plus the caller's `allow_hosts`.
URL_CHECKS: dict[str, Callable[[Any, frozenset[str]], list[str]]] = {
    "start_urls": _start_urls,
    "evidence": _evidence,
}


# --- loading ---------------------------------------------------------------------------------------


def load_registry(path: str | Path, *, allow_hosts: Iterable[str] = ()) -> list[SiteEntry]:
    """Load and check a registry file, or a folder of `*.yaml` files merged in filename order.

    `allow_hosts` admits hosts beside the official ones for this load only (the loopback replica
    sites of tests and the demo). Raises RegistryError listing every problem found, each prefixed
    with the file and entry.
    """
    extra = frozenset(h.strip().lower() for h in allow_hosts if h.strip())
    problems: list[str] = []
    entries: list[SiteEntry] = []
    first_seen: dict[str, str] = {}
    for file in _registry_files(Path(path), problems):
        for where, raw in _raw_entries(file, problems):
            entry_problems = _entry_problems(raw, extra) + _duplicate_id(raw.get("id"), where, first_seen)
            problems.extend(f"{where}: {p}" for p in entry_problems)
            if not entry_problems:
                entries.append(_build(raw))
    if problems:
        raise RegistryError(problems)
    return entries


def _entry_problems(raw: dict[str, Any], allow_hosts: frozenset[str]) -> list[str]:
    """Every problem of one entry mapping: missing and unknown keys, then bad values."""
    problems = [f"missing required key {key!r}" for key in REQUIRED_KEYS if key not in raw]
    for key, value in raw.items():
        if isinstance(key, str) and key in URL_CHECKS:
            problems.extend(URL_CHECKS[key](value, allow_hosts))
        elif isinstance(key, str) and key in CHECKS:
            problems.extend(CHECKS[key](value))
        else:
            problems.append(_unknown_key(key))
    return problems


def _duplicate_id(site_id: Any, where: str, first_seen: dict[str, str]) -> list[str]:
    """A duplicate-id problem, or none; records where each id is first seen."""
    if not isinstance(site_id, str):
        return []
    if site_id in first_seen:
        return [f"duplicate id, first defined at {first_seen[site_id]}"]
    first_seen[site_id] = where
    return []


def _unknown_key(key: Any) -> str:
    close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}"


def _registry_files(path: Path, problems: list[str]) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.yaml"))
        if not files:
            problems.append(f"{path}: folder has no *.yaml files")
        return files
    if not path.is_file():
        problems.append(f"{path}: no such file or folder")
        return []
    return [path]


def _raw_entries(file: Path, problems: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(location, mapping) for each entry of a file; file-level problems go to `problems`."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{file}: cannot read YAML: {exc}")
        return
    if not isinstance(data, list):
        problems.append(f"{file}: expected a list of sites, got {type(data).__name__}")
        return
    for index, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{file}: entry #{index}: expected a mapping, got {type(raw).__name__}")
            continue
        site_id = raw.get("id")
        label = f"site {site_id!r}" if isinstance(site_id, str) and site_id else f"entry #{index}"
        yield f"{file}: {label}", raw


def _build(raw: dict[str, Any]) -> SiteEntry:
    values = dict(raw)
    values["start_urls"] = tuple(raw["start_urls"])
    values["years"] = tuple(raw.get("years", ()))
    if "region_code" in raw:
        values["region_code"] = str(raw["region_code"])
    if "delay" in raw:
        values["delay"] = float(raw["delay"])
    return SiteEntry(**values)
