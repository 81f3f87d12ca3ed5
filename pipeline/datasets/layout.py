"""The datasets on disk, and the only code that writes or reads their files.

    <out>/parquet/<table>/year=YYYY/part-0.parquet      one file per table and year (hive partition)

Inside a file rows are sorted by agency_id (then report, then the template's cell order), in row
groups of ROW_GROUP_ROWS with min/max statistics, so that a filter on one agency reads one row
group per year; strings are dictionary-encoded by Parquet. A year is written whole to a temporary
name and renamed over the old file: a reader sees the old year or the new one, never a mix, and a
build that changes one agency's 2024 report rewrites only the 2024 files.

Builds of schema version 1 wrote `year=YYYY/agency=ID/part-0.parquet`: `replace_year` removes
those folders once the year's new file is in place.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.archive import write_atomic
from pipeline.datasets.schema import TABLES, TableSpec

PART_FILE = "part-0.parquet"
# A year of 3,000 agencies' facts (600,000 rows) is ten row groups; an agency's 200 rows sit in one.
ROW_GROUP_ROWS = 65_536
PARQUET_OPTIONS = {"compression": "zstd", "use_dictionary": True, "write_statistics": True}


def year_dir(root: Path, table: str, year: int) -> Path:
    return root / table / f"year={year}"


def year_file(root: Path, table: str, year: int) -> Path:
    return year_dir(root, table, year) / PART_FILE


def years_on_disk(root: Path, table: str) -> list[int]:
    folder = root / table
    if not folder.is_dir():
        return []
    return sorted(int(d.name.removeprefix("year=")) for d in folder.glob("year=*") if d.is_dir())


def rows_to_table(spec: TableSpec, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=spec.file_schema)


def encode(table: pa.Table, spec: TableSpec) -> pa.Table:
    """Rows -> the file schema, sorted by the table's order (a stable sort: the cell order of a
    report is kept), so that the same rows always give the same bytes."""
    table = table.select(spec.file_schema.names).cast(spec.file_schema)
    return table.sort_by(spec.sort_key).combine_chunks()


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP_ROWS, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def parquet_write_options() -> ds.FileWriteOptions:
    """The options of `parquet_bytes`, for pyarrow.dataset writers."""
    return ds.ParquetFileFormat().make_write_options(**PARQUET_OPTIONS)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds these bytes (its mtime then stays)."""
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def replace_year(root: Path, spec: TableSpec, year: int, table: pa.Table) -> bool:
    """Make `table` the table's rows of `year`: the new file is renamed over the old one (readers
    see one or the other), then what else the year folder held (an older layout) is removed. No
    rows, no year folder. Returns whether anything on disk changed."""
    folder = year_dir(root, spec.name, year)
    if table.num_rows == 0:
        existed = folder.exists()
        shutil.rmtree(folder, ignore_errors=True)
        return existed
    path = folder / PART_FILE
    changed = write_if_changed(path, parquet_bytes(encode(table, spec)))
    for other in list(folder.iterdir()):
        if other.name != PART_FILE and not other.name.startswith("."):
            shutil.rmtree(other) if other.is_dir() else other.unlink()
            changed = True
    return changed


def read_year(root: Path, spec: TableSpec, year: int) -> pa.Table:
    """One year's rows in the file schema, from whatever files the year folder holds."""
    files = data_files(year_dir(root, spec.name, year))
    if not files:
        return spec.file_schema.empty_table()
    dataset = ds.dataset(files, format="parquet")
    columns = [name for name in spec.file_schema.names if name in dataset.schema.names]
    table = dataset.to_table(columns=columns)
    for field in spec.file_schema:  # a column added since the file was written: all null
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(spec.file_schema.names).cast(spec.file_schema)


def read_table(root: Path, name: str, years: Iterable[int] | None = None) -> pa.Table:
    """One table as Arrow with every column of the schema (`year` from the folders)."""
    spec = TABLES[name]
    wanted = years_on_disk(root, name) if years is None else sorted(set(years))
    parts = []
    for year in wanted:
        table = read_year(root, spec, year)
        parts.append(table.append_column("year", pa.array([year] * table.num_rows, pa.int64())))
    return pa.concat_tables(parts).cast(spec.schema) if parts else spec.schema.empty_table()


def without_agencies(table: pa.Table, agencies: set[str]) -> pa.Table:
    if not agencies or table.num_rows == 0:
        return table
    return table.filter(pc.invert(pc.is_in(table.column("agency_id"), pa.array(sorted(agencies)))))


def data_files(folder: Path) -> list[Path]:
    """The Parquet files under a folder, without the dot-files of a write in progress."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("**/*.parquet")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def legacy_years(root: Path) -> list[tuple[TableSpec, int]]:
    """(table, year) folders still in an older layout (agency=… sub-folders, several files)."""
    return [
        (spec, year)
        for spec in TABLES.values()
        for year in years_on_disk(root, spec.name)
        if [p.name for p in data_files(year_dir(root, spec.name, year))] != [PART_FILE]
        or any(p.is_dir() for p in year_dir(root, spec.name, year).iterdir())
    ]


def compact(root: Path) -> int:
    """Bring every (table, year) still in an older layout to one file; returns how many."""
    todo = legacy_years(root)
    for spec, year in todo:
        replace_year(root, spec, year, read_year(root, spec, year))
    return len(todo)


class FileSet:
    """The files one build owns under a folder (those matching `pattern` that `in_scope` accepts).

    Files are written with `write_if_changed` (here by `put`, or by worker processes that `record`
    what they did); `finish` deletes the files nobody produced, so rows that vanished from the
    archive's interpretation vanish from the outputs too.
    """

    def __init__(self, root: Path, pattern: str, in_scope: Callable[[Path], bool]) -> None:
        self.root = root
        self.stale = {p for p in root.glob(pattern) if in_scope(p)} if root.exists() else set()
        self.counts: Counter[str] = Counter()

    def record(self, path: Path, written: bool) -> None:
        """A file this build produced, written now or found up to date."""
        self.stale.discard(path)
        self.counts["written" if written else "unchanged"] += 1

    def put(self, path: Path, data: bytes) -> None:
        self.record(path, write_if_changed(path, data))

    def finish(self) -> None:
        for path in sorted(self.stale):
            path.unlink(missing_ok=True)
            self.counts["deleted"] += 1
            _prune_empty(path.parent, self.root)
        self.stale.clear()


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
