"""Loading the sites registry for a crawl."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.registry import SiteEntry, load_registry

_LOOPBACK = ("127.0.0.1", "localhost")


def load_sites(path: str | Path, allow_hosts: Iterable[str] = ()) -> list[SiteEntry]:
    """The registry's entries. `allow_hosts` admits loopback hosts (`127.0.0.1:PORT`) beside the
    official ones, for replica sites only; RegistryError on any problem."""
    extra = [h.strip().lower() for h in allow_hosts if h.strip()]
    if any(h.rpartition(":")[0] not in _LOOPBACK and h not in _LOOPBACK for h in extra):
        raise ValueError(f"only loopback hosts may be allowed beside the official ones: {sorted(extra)}")
    return load_registry(path, allow_hosts=extra)
