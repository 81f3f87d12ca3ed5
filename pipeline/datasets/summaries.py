"""The parse summaries (Parsed) of every parsed body and the agency of every document,
each in one Arrow file, so that a build over tens of thousands of archived documents reads two
files instead of every parse in the cache and resolving every agency again.

    <out>/parsed/summaries.arrow     one row per body: its sha256, the parse-cache entry it was
                                     made from (mtime, size), and the Parsed fields
    <out>/parsed/identities.arrow    one row per (fetch record, summary): its AgencyIdentity

A row is used only while its parse-cache entry is the same file (same parser version, same
mtime and size); anything else (a reparse, a new parser version, an entry rewritten) makes the
body's summary again from the parse.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from pipeline.agency import AgencyIdentity
from pipeline.archive import FetchRecord, ParseCache, write_atomic
from pipeline.datasets.panel_checks import CellValue, panel_cells
from pipeline.parse import PARSER_VERSION
from pipeline.report import KIND_MISSING, STATUS_OK, STATUS_PARTIAL, Report

_PREAMBLE_CHARS, _SIGNATURE_CHARS = 800, 300


@dataclass
class Parsed:
    """What the datasets need of a parse, small enough to hold for every document at once."""

    status: str
    error: str | None
    source_format: str | None
    template: str | None
    year: int | None
    agency: str | None
    agency_full: str | None
    publisher: str | None  # 发布机构 in the document's own metadata (a JSON article's dept …)
    title: str | None
    n_facts: int
    n_missing: int
    checks_failed: list[str]
    warnings: list[str]
    values: np.ndarray  # every template cell's value in codebook order, NaN when not a number
    # The cells the checks across years read, as stored: a build decodes the few it checks again.
    panel_cells_json: str
    preamble: str
    signature: str

    @classmethod
    def of(cls, report: Report) -> Parsed:
        return cls(
            status=report.status,
            error=report.error,
            source_format=report.source_format,
            template=report.template,
            year=report.year,
            agency=report.agency,
            agency_full=report.agency_full,
            publisher=report.metadata.get("publisher") or None,
            title=report.title,
            n_facts=len(report.facts),
            n_missing=sum(f.kind == KIND_MISSING for f in report.facts),
            checks_failed=report.checks_failed,
            warnings=list(report.warnings),
            values=np.array([math.nan if f.value is None else f.value for f in report.facts], dtype=float),
            panel_cells_json=_cells_json(panel_cells(report.facts)),
            preamble=report.text[:_PREAMBLE_CHARS],
            signature=report.text[-_SIGNATURE_CHARS:],
        )

    @cached_property
    def panel_cells(self) -> dict[tuple[str, str, str], CellValue]:
        return _cells(self.panel_cells_json)

    @property
    def n_found(self) -> int:
        return self.n_facts - self.n_missing

    @property
    def is_report(self) -> bool:
        return self.status in (STATUS_OK, STATUS_PARTIAL)


SUMMARIES_FILE = "summaries.arrow"
_FIELDS = [f.name for f in dataclasses.fields(Parsed)]
_ENCODED = ("values",)  # stored in a form of their own (see save)
_SCHEMA = pa.schema(
    [
        ("sha256", pa.string()),
        ("entry_mtime_ns", pa.int64()),
        ("entry_size", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("source_format", pa.string()),
        ("template", pa.string()),
        ("year", pa.int64()),
        ("agency", pa.string()),
        ("agency_full", pa.string()),
        ("publisher", pa.string()),
        ("title", pa.string()),
        ("n_facts", pa.int64()),
        ("n_missing", pa.int64()),
        ("checks_failed", pa.list_(pa.string())),
        ("warnings", pa.list_(pa.string())),
        ("values", pa.list_(pa.float64())),
        ("panel_cells_json", pa.string()),  # {"section|item|column": [value, imputed_value, kind]}
        ("preamble", pa.string()),
        ("signature", pa.string()),
    ],
    metadata={"parser_version": PARSER_VERSION, "fields": ",".join(_FIELDS)},
)
# The fields of a Parsed that `identify` reads (not the cells' values).
_IDENTITY_INPUTS = [name for name in _FIELDS if name not in ("values", "panel_cells_json")]
Stamp = tuple[int, int]  # (mtime_ns, size) of a parse-cache entry


class SummaryCache:
    def __init__(self, out: Path) -> None:
        self.path = out / "parsed" / SUMMARIES_FILE
        self.parse_cache = ParseCache(out, PARSER_VERSION)

    def stamp(self, sha256: str) -> Stamp | None:
        """The parse-cache entry of a body, or None when it has none (not parsed, or an HTTP error)."""
        try:
            stat = self.parse_cache.path_of(sha256).stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def load(self, wanted: dict[str, Stamp | None]) -> dict[str, Parsed]:
        """The stored summaries of the bodies in `wanted` whose parse-cache entry is unchanged."""
        if not self.path.exists():
            return {}
        table = feather.read_table(self.path)
        if table.schema != _SCHEMA or table.schema.metadata != _SCHEMA.metadata:
            return {}  # another parser version or another Parsed: every summary is made again
        columns = {name: table.column(name).to_pylist() for name in _SCHEMA.names if name != "values"}
        values = table.column("values").combine_chunks()
        flat, offsets = values.flatten().to_numpy(zero_copy_only=False), values.offsets.to_numpy()
        found = {}
        stored = zip(columns["entry_mtime_ns"], columns["entry_size"], strict=True)
        for i, (sha256, stamp) in enumerate(zip(columns["sha256"], stored, strict=True)):
            if sha256 in wanted and wanted[sha256] == stamp:
                fields = {name: columns[name][i] for name in _FIELDS if name != "values"}
                found[sha256] = Parsed(**fields, values=flat[offsets[i] : offsets[i + 1]].copy())
        return found

    def save(self, parsed: dict[str, Parsed], stamps: dict[str, Stamp | None]) -> None:
        kept = [(sha, parsed[sha], stamp) for sha in sorted(parsed) if (stamp := stamps.get(sha)) is not None]
        columns: dict[str, Any] = {
            "sha256": [sha for sha, _, _ in kept],
            "entry_mtime_ns": [stamp[0] for _, _, stamp in kept],
            "entry_size": [stamp[1] for _, _, stamp in kept],
            **{name: [getattr(p, name) for _, p, _ in kept] for name in _FIELDS if name not in _ENCODED},
        }
        values = [np.asarray(p.values, dtype=float) for _, p, _ in kept]
        offsets = np.cumsum([0, *(len(v) for v in values)], dtype=np.int32)
        flat = np.concatenate(values) if values else np.array([], dtype=float)
        columns["values"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, pa.float64()))
        sink = pa.BufferOutputStream()
        feather.write_feather(pa.Table.from_pydict(columns, schema=_SCHEMA), sink, compression="zstd")
        write_atomic(self.path, sink.getvalue().to_pybytes())


def _cells_json(cells: dict[tuple[str, str, str], CellValue]) -> str:
    return json.dumps({"|".join(k): [c.value, c.imputed_value, c.kind] for k, c in sorted(cells.items())})


def _cells(text: str) -> dict[tuple[str, str, str], CellValue]:
    return {_key(k): CellValue(*v) for k, v in json.loads(text).items()}


def _key(text: str) -> tuple[str, str, str]:
    section, item, column = text.split("|")
    return (section, item, column)


class IdentityCache:
    """The agency identity of every document, by a hash of everything `identify` reads (its fetch
    record and its Parsed summary): resolving 15,000 agencies costs seconds a nightly build need
    not spend again. Like the parse cache it holds for one parser version; `nianbao reparse`
    resolves every agency again."""

    def __init__(self, out: Path) -> None:
        self.path = out / "parsed" / IDENTITIES_FILE

    @staticmethod
    def key(fetch: FetchRecord, parsed: Parsed) -> str:
        scalars = {name: getattr(parsed, name) for name in _IDENTITY_INPUTS}
        # vars, not asdict: the fields as they are, without asdict's deep copy (seconds at 15,000)
        digest = hashlib.sha256(json.dumps([vars(fetch), scalars], sort_keys=True, default=str).encode())
        digest.update(np.asarray(parsed.values, dtype=float).tobytes())
        return digest.hexdigest()

    def load(self) -> dict[str, AgencyIdentity]:
        if not self.path.exists():
            return {}
        table = feather.read_table(self.path)
        if table.schema != _IDENTITY_SCHEMA or table.schema.metadata != _IDENTITY_SCHEMA.metadata:
            return {}
        return {
            key: _identity(json.loads(text))
            for key, text in zip(
                table.column("key").to_pylist(), table.column("identity").to_pylist(), strict=True
            )
        }

    def save(self, identities: dict[str, AgencyIdentity]) -> None:
        rows = {
            "key": sorted(identities),
            "identity": [json.dumps(vars(identities[k]), ensure_ascii=False) for k in sorted(identities)],
        }
        sink = pa.BufferOutputStream()
        feather.write_feather(pa.Table.from_pydict(rows, schema=_IDENTITY_SCHEMA), sink, compression="zstd")
        write_atomic(self.path, sink.getvalue().to_pybytes())


def _identity(data: dict[str, Any]) -> AgencyIdentity:
    """An identity from its JSON (whose lists were tuples)."""
    values: dict[str, Any] = {k: tuple(v) if k in _TUPLE_FIELDS else v for k, v in data.items()}
    return AgencyIdentity(**values)


_TUPLE_FIELDS = {f.name for f in fields(AgencyIdentity) if str(f.type).startswith("tuple")}


IDENTITIES_FILE = "identities.arrow"
_IDENTITY_SCHEMA = pa.schema(
    [("key", pa.string()), ("identity", pa.string())],
    metadata={
        "parser_version": PARSER_VERSION,
        "fields": ",".join(f.name for f in fields(AgencyIdentity)) + ";" + ",".join(_FIELDS),
    },
)
