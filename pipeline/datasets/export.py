"""One-file bundles of the datasets for people who would rather not handle a folder of Parquet.

    duckdb   OUT/export/nianbao.duckdb      the four tables and `cells`, types kept (lists stay lists)
    sqlite   OUT/export/nianbao.sqlite      lists as JSON text, dates and times as ISO 8601 text
    csv      OUT/export/nianbao-csv.zip     one CSV per table (UTF-8, lists as JSON) + datapackage.json

Each bundle is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.datasets.datapackage import CELL_COLUMNS, DATAPACKAGE_FILE, cell_rows
from pipeline.datasets.layout import read_table
from pipeline.datasets.schema import TABLES

_FILE_NAMES = {"duckdb": "nianbao.duckdb", "sqlite": "nianbao.sqlite", "csv": "nianbao-csv.zip"}
_BATCH_ROWS = 50_000


def export(out: Path, fmt: str, dest: Path | None = None) -> Path:
    """Write the bundle and return its path."""
    writer = _WRITERS[fmt]
    dest = dest or out / "export" / _FILE_NAMES[fmt]
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".export-") as tmp:
        partial = Path(tmp) / dest.name
        writer(_tables(out), out, partial)
        partial.replace(dest)
    return dest


def _tables(out: Path) -> dict[str, pa.Table]:
    tables = {name: read_table(out / "parquet", name) for name in TABLES}
    tables["cells"] = pa.Table.from_pylist(
        cell_rows(), schema=pa.schema([(c, pa.string()) for c in CELL_COLUMNS])
    )
    return tables


def _duckdb(tables: dict[str, pa.Table], out: Path, dest: Path) -> None:
    con = duckdb.connect(str(dest))
    try:
        for name, table in tables.items():
            con.register("arrow_source", table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM arrow_source')
            con.unregister("arrow_source")
    finally:
        con.close()


def _sqlite(tables: dict[str, pa.Table], out: Path, dest: Path) -> None:
    con = sqlite3.connect(dest)
    try:
        for name, table in tables.items():
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


def _csv(tables: dict[str, pa.Table], out: Path, dest: Path) -> None:
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, table in tables.items():
            sink = pa.BufferOutputStream()
            pacsv.write_csv(flatten(table), sink)
            bundle.writestr(f"{name}.csv", sink.getvalue().to_pybytes())
        package = out / "parquet" / DATAPACKAGE_FILE
        if package.exists():
            bundle.write(package, DATAPACKAGE_FILE)


def flatten(table: pa.Table) -> pa.Table:
    """Columns any CSV or SQLite reader takes: plain strings, lists as JSON, times as ISO 8601."""
    columns = [_flat(table.column(i)) for i in range(table.num_columns)]
    return pa.Table.from_arrays(columns, names=table.column_names)


def _flat(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    t = column.type
    if pa.types.is_dictionary(t):
        return column.cast(pa.string())
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


_WRITERS: dict[str, Callable[[dict[str, pa.Table], Path, Path], None]] = {
    "duckdb": _duckdb,
    "sqlite": _sqlite,
    "csv": _csv,
}
