"""The datasets on disk, and the only code that writes or reads their files.

    <out>/parquet/<table>/year=YYYY/agency=AGENCY_ID/part-0.parquet    as built (hive partitions)
    <out>/parquet/<table>/year=YYYY/part-0.parquet                     after `nianbao compact`

Every file is written whole to a temporary name and renamed into place, and only when its bytes
change: rows are sorted and dictionaries rebuilt the same way every time, so a rebuild over the
same archive leaves every file (and its mtime) alone, and updating one agency touches only its
partitions. A compacted table is split back into agency partitions before a build updates it.
"""

from __future__ import annotations

import itertools
import os
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
# The directory keys. `agency` repeats the files' agency_id; `year` is only in the directory.
PARTITION_SCHEMA = pa.schema([("year", pa.int64()), ("agency", pa.string())])


def partition_file(root: Path, table: str, year: int, agency_id: str) -> Path:
    return root / table / f"year={year}" / f"agency={agency_id}" / PART_FILE


def partition_agency(path: Path) -> str:
    """The agency of a partition file (the name of its agency=… folder)."""
    return path.parent.name.removeprefix("agency=")


def rows_to_table(spec: TableSpec, rows: list[dict]) -> pa.Table:
    return encode(pa.Table.from_pylist(rows, schema=spec.plain_schema), spec)


def encode(table: pa.Table, spec: TableSpec) -> pa.Table:
    """Rows -> the file schema: rows in primary-key order (a stable sort keeps the parser's template
    order) and dictionaries built from the rows present, so the same rows always give the same bytes."""
    table = _plain(table, spec).sort_by(spec.sort_key).combine_chunks()
    columns = []
    for field in spec.file_schema:
        column = table.column(field.name)
        columns.append(pc.dictionary_encode(column) if pa.types.is_dictionary(field.type) else column)
    return pa.Table.from_arrays(columns, schema=spec.file_schema)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds these bytes (its mtime then stays)."""
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


class FileSet:
    """The files one build owns under a folder (those matching `pattern` that `in_scope` accepts).

    Files are written with `write_if_changed` (here by `put`, or by worker processes that `record`
    what they did); `finish` deletes the files nobody produced, so rows that vanished from the
    archive's interpretation vanish from the datasets too.
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


def read_table(root: Path, name: str, years: Iterable[int] | None = None) -> pa.Table:
    """One table as Arrow, with `year` from the directories, in either layout."""
    spec = TABLES[name]
    schema = pa.schema([*spec.file_schema, *PARTITION_SCHEMA])
    columns = [c.name for c in spec.columns]
    files = data_files(root / name)
    if not files:
        return schema.empty_table().select(columns)
    partitioning = ds.partitioning(PARTITION_SCHEMA, flavor="hive")
    dataset = ds.dataset(
        files, format="parquet", schema=schema, partitioning=partitioning, partition_base_dir=str(root / name)
    )
    where = None if years is None else ds.field("year").isin(list(years))
    return dataset.to_table(columns=columns, filter=where)


def data_files(folder: Path) -> list[Path]:
    """The Parquet files under a folder, without the dot-folders of a swap in progress."""
    return sorted(
        p
        for p in folder.glob("**/*.parquet")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def compact(root: Path) -> Counter[str]:
    """Merge each year's agency partitions of every table into one file per year."""
    counts: Counter[str] = Counter()
    for spec, year_dir in _year_dirs(root):
        files = data_files(year_dir)
        if any(f.parent != year_dir for f in files):
            table = encode(_read_files(files, spec), spec)
            _swap(year_dir, {PART_FILE: parquet_bytes(table)})
            counts["years"] += 1
            counts["files_merged"] += len(files)
    return counts


def expand(root: Path) -> None:
    """Split compacted years back into one partition per agency."""
    for spec, year_dir in _year_dirs(root):
        files = data_files(year_dir)
        if any(f.parent == year_dir for f in files):
            _swap(year_dir, split_by_agency(_read_files(files, spec), spec))


def _plain(table: pa.Table, spec: TableSpec) -> pa.Table:
    """The file columns of `table` (dropping `year` or `agency` read from folders), strings plain."""
    return table.select(spec.file_schema.names).cast(spec.plain_schema)


def _year_dirs(root: Path) -> list[tuple[TableSpec, Path]]:
    return [(spec, d) for spec in TABLES.values() for d in sorted((root / spec.name).glob("year=*"))]


def _read_files(files: list[Path], spec: TableSpec) -> pa.Table:
    return ds.dataset(files, format="parquet", schema=spec.file_schema).to_table()


def split_by_agency(table: pa.Table, spec: TableSpec) -> dict[str, bytes]:
    """One year's rows as the files of its agency partitions, by path relative to the year folder."""
    table = _plain(table, spec).sort_by([("agency_id", "ascending")])
    files: dict[str, bytes] = {}
    start = 0
    for agency_id, run in itertools.groupby(table.column("agency_id").to_pylist()):
        n = sum(1 for _ in run)
        files[f"agency={agency_id}/{PART_FILE}"] = parquet_bytes(encode(table.slice(start, n), spec))
        start += n
    return files


def _swap(year_dir: Path, files: dict[str, bytes]) -> None:
    """Replace a year's folder by one holding `files`, by two renames (readers skip dot-folders)."""
    new = year_dir.with_name(f".{year_dir.name}.new")
    old = year_dir.with_name(f".{year_dir.name}.old")
    for stale in (new, old):
        shutil.rmtree(stale, ignore_errors=True)
    for relative, data in files.items():
        path = new / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    os.rename(year_dir, old)
    os.rename(new, year_dir)
    shutil.rmtree(old)


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
