"""Loading the sites registry for a crawl."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline import registry
from pipeline.registry import SiteEntry, load_registry

_LOOPBACK = ("127.0.0.1", "localhost")


def load_sites(path: str | Path, allow_hosts: Iterable[str] = ()) -> list[SiteEntry]:
    """The registry's entries. `allow_hosts` admits loopback hosts (`127.0.0.1:PORT`) beside the
    official ones, for replica sites only; RegistryError on any problem."""
    extra = frozenset(h.strip().lower() for h in allow_hosts if h.strip())
    if not extra:
        return load_registry(path)
    if any(h.rpartition(":")[0] not in _LOOPBACK and h not in _LOOPBACK for h in extra):
        raise ValueError(f"only loopback hosts may be allowed beside the official ones: {sorted(extra)}")
    # The loader has no allow-list parameter yet (asked of the lead): widen its host list for
    # this one call, and restore it whatever happens.
    official = registry.allowed_hosts
    registry.allowed_hosts = lambda: official() | extra  # type: ignore[assignment]
    try:
        return load_registry(path)
    finally:
        registry.allowed_hosts = official
