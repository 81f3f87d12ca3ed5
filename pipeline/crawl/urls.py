"""URL canonicalisation and the shapes of URLs the crawl cares about."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Session ids make every visit a new URL (an endless crawl); they never select content.
SESSION_PARAMS = frozenset(
    {"jsessionid", "sid", "phpsessid", "aspsessionid", "sessionid", "session_id", "cfid"}
)
_MATRIX_SESSION = re.compile(r";(jsessionid|sid|phpsessid)=[^/?#]*", re.I)
# `t20240125_123456_wap.html` is the mobile twin of `t20240125_123456.html` (TRS, quirk 29).
_WAP_TWIN = re.compile(r"_wap(?=\.[a-z]+$)", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}

DOCUMENT_EXTENSIONS = frozenset(
    {".doc", ".docx", ".wps", ".pdf", ".xls", ".xlsx", ".et", ".ofd", ".rtf", ".txt", ".zip", ".rar"}
)
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff"})
# Download endpoints that serve a file without an extension in the URL (`download.jsp?id=42`).
_DOWNLOAD_ENDPOINT = re.compile(r"(down(load)?(file)?|getfile|attach(ment)?|filedown)[^/]*$", re.I)
_COLUMN_INDEX = re.compile(r"(/|/(index|default|list)(_\d+)?\.(s?html?|jsp|php|aspx?))$", re.I)


def canonical_url(url: str) -> str:
    """One spelling per resource: no fragment, no session id, no `_wap` twin, lower-case host.
    ValueError for a URL that cannot be a request (a malformed host or port)."""
    url = _MATRIX_SESSION.sub("", safe_url_string(url.strip()))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = host_of(url)
    path = _WAP_TWIN.sub("", parts.path) or "/"
    # Pairs are filtered as written: decoding and re-encoding would corrupt GBK-encoded values.
    query = "&".join(
        p for p in parts.query.split("&") if p and p.split("=", 1)[0].lower() not in SESSION_PARAMS
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def join_url(base: str, href: str) -> str | None:
    """`href` resolved against `base`; None when the result cannot be requested (`http://[::1/`,
    a port out of range): a malformed link is skipped, it never takes its page down."""
    try:
        url = urljoin(base, href)
        host_of(url)
    except ValueError:
        return None
    return url


def host_of(url: str) -> str:
    """`host` or `host:port` (a non-default port is part of a site's identity: 122.137.242.24:8080);
    an IPv6 address keeps its brackets (`[::1]:8080`). ValueError for a URL that has no valid
    host and port (`http://[::1/`, `http://h:99999/`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port  # raises ValueError on a malformed port
    return host if port in (None, _DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"


def extension(url: str) -> str:
    return posixpath.splitext(unquote(urlsplit(url).path))[1].lower()


def is_document_url(url: str) -> bool:
    """A link to a file (report attachment) rather than a page."""
    ext = extension(url)
    if ext in DOCUMENT_EXTENSIONS:
        return True
    return (
        not ext.startswith(".htm") and ext != ".shtml" and bool(_DOWNLOAD_ENDPOINT.search(urlsplit(url).path))
    )


def is_image_url(url: str) -> bool:
    return extension(url) in IMAGE_EXTENSIONS


def looks_like_column_index(url: str) -> bool:
    """`…/2022n/`, `…/index.html`, `…/list.htm`: the first page of a column, never a report."""
    parts = urlsplit(url)
    return bool(_COLUMN_INDEX.search(parts.path)) and not parts.query


def directory(url: str) -> str:
    """The folder of a URL's path, ending in '/'."""
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else posixpath.dirname(path).rstrip("/") + "/"


def directory_url(url: str) -> str:
    """The URL of a URL's folder (`…/zfxxgknb/index.html` -> `…/zfxxgknb/`)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, directory(url), "", ""))


def filename_of(url: str) -> str:
    return posixpath.basename(unquote(urlsplit(url).path))
