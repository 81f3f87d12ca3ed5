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


def select_sites(
    entries: Iterable[SiteEntry], site_ids: Iterable[str], source: str | Path
) -> list[SiteEntry]:
    """The entries named by `site_ids` (all when none is named); ValueError naming unknown ids."""
    by_id = {e.id: e for e in entries}
    wanted = list(dict.fromkeys(site_ids))
    unknown = [site_id for site_id in wanted if site_id not in by_id]
    if unknown:
        raise ValueError(f"no such site in {source}: {', '.join(unknown)}")
    return [by_id[site_id] for site_id in wanted] if wanted else list(by_id.values())
