"""What each (year, agency) partition was last built from, so that a rebuild remakes only the
partitions whose inputs changed and rewrites only their years (a nightly crawl adds a few reports
to tens of thousands).

A partition's inputs are its documents' rows (content hashes, parser version, roles, agency
identity …): a parse is a function of the body's hash and the parser version, so equal rows mean
equal files. `nianbao reparse` ignores this state, as it ignores the parse cache, so a parser
change made without a new PARSER_VERSION still reaches every file. Bump SCHEMA_VERSION when the
writer's output changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pipeline.datasets.layout import write_if_changed
from pipeline.datasets.schema import SCHEMA_VERSION

STATE_FILE = "_build_state.json"  # leading "_": dataset readers skip it


def fingerprint(inputs: Any) -> str:
    data = json.dumps([SCHEMA_VERSION, inputs], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class BuildState:
    def __init__(self, out: Path, *, trusted: bool = True) -> None:
        self.out = out
        self.path = out / "parquet" / STATE_FILE
        data = self._load() if trusted else {}
        self.entries: dict[str, dict[str, Any]] = data.get("partitions", {})
        # Whether the year files are those the last build left (else every year is rewritten):
        # one deleted by hand, or a build interrupted before saving this state, is not.
        self.trusted = bool(self.entries) and all((out / f).exists() for f in data.get("files", []))
        if not self.trusted:
            self.entries = {}

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return data if data.get("schema_version") == SCHEMA_VERSION else {}

    def unchanged(self, key: str, print_: str) -> list[Path] | None:
        """The text files of a partition built from the same inputs, if they are all still there."""
        entry = self.entries.get(key)
        if entry is None or entry["fingerprint"] != print_:
            return None
        files = [self.out / f for f in entry["files"]]
        return files if all(f.exists() for f in files) else None

    def record(self, key: str, print_: str, files: list[Path]) -> None:
        self.entries[key] = {
            "fingerprint": print_,
            "files": sorted(f.relative_to(self.out).as_posix() for f in files),
        }

    def save(self, keys: set[str], files: list[Path]) -> None:
        """Keep the entries of `keys` (the partitions that exist now), drop the rest, and note the
        year files the build left."""
        entries = {k: v for k, v in sorted(self.entries.items()) if k in keys}
        written = sorted(f.relative_to(self.out).as_posix() for f in files)
        payload = {"schema_version": SCHEMA_VERSION, "files": written, "partitions": entries}
        # No indent: json then encodes in C (its Python encoder takes over a second at 15,000 partitions).
        write_if_changed(self.path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
