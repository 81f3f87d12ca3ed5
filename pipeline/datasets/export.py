"""Bundles of the datasets for people who would rather not handle the Parquet folder.

    duckdb   OUT/export/nianbao.duckdb      the tables, `cells` and `crosswalk`, types kept (lists stay lists)
    sqlite   OUT/export/nianbao.sqlite      lists as JSON text, dates and times as ISO 8601 text
    csv      OUT/export/nianbao-csv.zip     one CSV per table (UTF-8, lists as JSON) + datapackage.json
    parquet  OUT/export/parquet/<table>/year=YYYY/agency_id=ID/part-0.parquet   (--partition-by)

Every bundle carries its own descriptor, generated from the schema like the panel's: the CSV zip a
datapackage.json naming its CSV files (valid under `frictionless validate`), the databases a
`datapackage` table holding it as JSON. The Parquet export keeps the panel's file schema.
Each bundle is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from pipeline.datasets.datapackage import (
    DATAPACKAGE_FILE,
    STAMP,
    build_stamp,
    code_resource,
    code_tables,
    csv_bytes,
    package_json,
    table_field,
)
from pipeline.datasets.layout import parquet_write_options, read_table
from pipeline.datasets.schema import TABLES

FILE_NAMES = {
    "duckdb": "nianbao.duckdb",
    "sqlite": "nianbao.sqlite",
    "csv": "nianbao-csv.zip",
    "parquet": "parquet",
}
PARTITION_KEYS = {"year": "year", "agency": "agency_id"}  # --partition-by name -> column
DESCRIPTOR_TABLE = "datapackage"  # the databases' own descriptor, one row of JSON
_BATCH_ROWS = 50_000


def export(out: Path, fmt: str, dest: Path | None = None, partition_by: tuple[str, ...] = ("year",)) -> Path:
    """Write the bundle and return its path."""
    dest = dest or out / "export" / FILE_NAMES[fmt]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tables = {name: read_table(out / "parquet", name) for name in TABLES}
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".export-") as tmp:
        partial = Path(tmp) / dest.name
        if fmt == "parquet":
            _parquet(tables, partial, tuple(PARTITION_KEYS[k] for k in partition_by))
        else:
            _WRITERS[fmt](tables, partial, bundle_descriptor(out, tables, fmt))
        if dest.is_dir():
            shutil.rmtree(dest)
        partial.replace(dest)
    return dest


def bundle_descriptor(out: Path, tables: dict[str, pa.Table], fmt: str) -> dict[str, Any]:
    """The descriptor of a one-file bundle: every table with every column (`year` included), and
    the panel's build stamp with this bundle's row counts."""
    stamp = build_stamp(out / "parquet")
    stamp["rows"] = {name: table.num_rows for name, table in tables.items()}
    resources = [
        {
            "profile": "tabular-data-resource",
            "name": name,
            "path": f"{name}.csv" if fmt == "csv" else name,
            "description": f"{spec.en} / {spec.zh}",
            "format": fmt,
            **({"mediatype": "text/csv", "encoding": "utf-8"} if fmt == "csv" else {}),
            "schema": {
                "fields": [table_field(spec.column(f.name), parquet=False) for f in spec.schema],
                "primaryKey": list(spec.primary_key),
            },
        }
        for name, spec in TABLES.items()
    ]
    codes = [code_resource(name, f"{name}.csv" if fmt == "csv" else name, fmt) for name in code_tables()]
    return {"profile": "data-package", "name": "nianbao", STAMP: stamp, "resources": resources + codes}


def _duckdb(tables: dict[str, pa.Table], dest: Path, descriptor: dict[str, Any]) -> None:
    con = duckdb.connect(str(dest))
    try:
        for name, table in _with_codes(tables, descriptor).items():
            con.register("arrow_source", table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM arrow_source')
            con.unregister("arrow_source")
    finally:
        con.close()


def _sqlite(tables: dict[str, pa.Table], dest: Path, descriptor: dict[str, Any]) -> None:
    con = sqlite3.connect(dest)
    try:
        for name, table in _with_codes(tables, descriptor).items():
            flat = flatten(table)
            columns = ", ".join(f'"{f.name}" {_sqlite_type(f.type)}' for f in flat.schema)
            con.execute(f'CREATE TABLE "{name}" ({columns})')
            marks = ", ".join("?" * flat.num_columns)
            for batch in flat.to_batches(_BATCH_ROWS):
                con.executemany(
                    f'INSERT INTO "{name}" VALUES ({marks})', zip(*batch.to_pydict().values(), strict=True)
                )
            if "report_id" in flat.column_names:
                con.execute(f'CREATE INDEX "{name}_report_id" ON "{name}" (report_id)')
        con.commit()
    finally:
        con.close()


def _csv(tables: dict[str, pa.Table], dest: Path, descriptor: dict[str, Any]) -> None:
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, table in tables.items():
            sink = pa.BufferOutputStream()
            pacsv.write_csv(flatten(table), sink)
            bundle.writestr(f"{name}.csv", sink.getvalue().to_pybytes())
        for name, table in code_tables().items():
            bundle.writestr(f"{name}.csv", csv_bytes(table))
        bundle.writestr(DATAPACKAGE_FILE, package_json(descriptor))


def _parquet(tables: dict[str, pa.Table], dest: Path, keys: tuple[str, ...]) -> None:
    """Hive folders by `keys` (year, agency_id); the keys live in the folder names only, and the
    files carry the panel's pandas metadata (year an integer to pandas too)."""
    for name, table in tables.items():
        spec = TABLES[name]
        table = table.sort_by(spec.sort_key).replace_schema_metadata(spec.file_schema.metadata)
        ds.write_dataset(
            table,
            dest / name,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([spec.schema.field(k) for k in keys]), flavor="hive"),
            basename_template="part-{i}.parquet",
            file_options=parquet_write_options(),
            max_rows_per_group=1 << 20,
            existing_data_behavior="error",
        )


def _with_codes(tables: dict[str, pa.Table], descriptor: dict[str, Any]) -> dict[str, pa.Table]:
    """A database's tables: the datasets, `cells`, `crosswalk`, and its descriptor as one JSON row."""
    described = pa.table({"descriptor": [json.dumps(descriptor, ensure_ascii=False)]})
    return {**tables, **code_tables(), DESCRIPTOR_TABLE: described}


def flatten(table: pa.Table) -> pa.Table:
    """Columns any CSV or SQLite reader takes: plain strings, lists as JSON, times as ISO 8601."""
    columns = [_flat(table.column(i)) for i in range(table.num_columns)]
    return pa.Table.from_arrays(columns, names=table.column_names)


def _flat(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    t = column.type
    if pa.types.is_list(t):
        return pa.array(
            [None if v is None else json.dumps(v, ensure_ascii=False) for v in column.to_pylist()],
            pa.string(),
        )
    if pa.types.is_timestamp(t):
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")
    if pa.types.is_date(t):
        return column.cast(pa.string())
    return column


def _sqlite_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        return "INTEGER"
    if pa.types.is_floating(t):
        return "REAL"
    return "TEXT"


_WRITERS: dict[str, Callable[[dict[str, pa.Table], Path, dict[str, Any]], None]] = {
    "duckdb": _duckdb,
    "sqlite": _sqlite,
    "csv": _csv,
}
