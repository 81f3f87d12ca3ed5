"""The data contract: every table, read by pyarrow, pandas, DuckDB and polars, has the columns and
types of pipeline/datasets/schema.py; datapackage.json and every bundle's descriptor describe
exactly the files they ship and are valid under `frictionless validate`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import duckdb
import frictionless
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from test_datasets import Built

from pipeline.codebook import load_codebook
from pipeline.datasets import build_datasets, compact_datasets
from pipeline.datasets.datapackage import DATAPACKAGE_FILE, STAMP, TEMPLATES, crosswalk_rows
from pipeline.datasets.export import DESCRIPTOR_TABLE, export
from pipeline.datasets.layout import data_files, read_table
from pipeline.datasets.schema import TABLES, TableSpec
from pipeline.parse import PARSER_VERSION


def reader_columns(spec: TableSpec) -> list[tuple[str, str, str, str]]:
    """(name, pandas, DuckDB, polars) of every column, in the order readers give them."""
    return [
        (f.name, *(getattr(spec.column(f.name).readers, r) for r in ("pandas", "duckdb", "polars")))
        for f in spec.schema
    ]


def read_with_every_reader(folder: Path, spec: TableSpec) -> dict[str, list[tuple[str, str]]]:
    """(column, type) pairs as pandas, DuckDB and polars load the table folder."""
    frame = pd.read_parquet(folder)
    con = duckdb.connect()
    relation = con.sql(f"SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)")
    typeofs = ", ".join(f'typeof("{c}")' for c in relation.columns)
    row = con.execute(f"SELECT {typeofs} FROM relation LIMIT 1").fetchone()
    assert row is not None
    polars = pl.read_parquet(folder).schema
    return {
        "pandas": [(c, str(t)) for c, t in frame.dtypes.items()],
        "duckdb": list(zip(relation.columns, row, strict=True)),
        "polars": [(c, str(t)) for c, t in polars.items()],
    }


def assert_contract(root: Path) -> None:
    for name, spec in TABLES.items():
        expected = reader_columns(spec)
        arrow = ds.dataset(root / name, format="parquet", partitioning="hive").to_table()
        assert [f.name for f in arrow.schema] == [c[0] for c in expected], name
        assert read_table(root, name).schema == spec.schema, name
        seen = read_with_every_reader(root / name, spec)
        for i, reader in enumerate(("pandas", "duckdb", "polars"), start=1):
            assert seen[reader] == [(c[0], c[i]) for c in expected], (name, reader)


def test_every_reader_sees_the_schema(built: Built) -> None:
    assert_contract(built.out / "parquet")


def test_year_is_an_integer_to_compare_in_pandas(built: Built) -> None:
    facts = pd.read_parquet(built.out / "parquet" / "facts")
    recent = facts[facts.year >= 2022]
    assert set(recent["year"]) == {2022, 2023} and len(recent) < len(facts)
    filtered = pd.read_parquet(built.out / "parquet" / "facts", filters=[("year", "==", 2020)])
    assert set(filtered["year"]) == {2020}
    assert "agency" not in facts.columns and facts["agency_id"].dtype == "str"


def test_the_contract_holds_after_compacting_an_older_layout(built: Built, tmp_path: Path) -> None:
    """Schema version 1 wrote year=/agency= folders with dictionary strings; `compact` (or the next
    build) brings them to one file per year with the same rows and types."""
    shutil.copytree(built.out, tmp_path / "out")
    root = tmp_path / "out" / "parquet"
    rows = {name: read_table(root, name).num_rows for name in TABLES}
    assert compact_datasets(tmp_path / "out") == 0  # nothing to do on a fresh build
    for name in TABLES:
        for path in data_files(root / name):
            table = pq.read_table(path)
            strings = [i for i, f in enumerate(table.schema) if pa.types.is_large_string(f.type)]
            for i in strings:
                table = table.set_column(i, table.schema.field(i).name, table.column(i).dictionary_encode())
            for agency in set(table.column("agency_id").to_pylist()):
                agency_ids = table.column("agency_id").cast(pa.large_string())
                part = table.filter(pa.compute.equal(agency_ids, agency))
                (path.parent / f"agency={agency}").mkdir()
                pq.write_table(part, path.parent / f"agency={agency}" / "part-0.parquet")
            path.unlink()
    assert compact_datasets(tmp_path / "out") > 0
    for name in TABLES:
        assert all(p.parent.parent == root / name for p in data_files(root / name))
        assert read_table(root, name).num_rows == rows[name]
    assert_contract(root)


def test_datapackage_fields_are_exactly_those_of_the_files(built: Built) -> None:
    root = built.out / "parquet"
    package = json.loads((root / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    files = {p.relative_to(root).as_posix() for name in TABLES for p in data_files(root / name)}
    described = {r["path"] for r in resources.values() if r["format"] == "parquet"}
    assert described == files
    for resource in resources.values():
        if resource["format"] == "parquet":
            names = pq.read_schema(root / resource["path"]).names
            assert [f["name"] for f in resource["schema"]["fields"]] == names, resource["path"]
            assert all(" / " in f["description"] for f in resource["schema"]["fields"])


def test_datapackage_is_valid_under_frictionless(built: Built) -> None:
    report = frictionless.validate(built.out / "parquet" / DATAPACKAGE_FILE)
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_codebook_crosswalk_and_build_stamp(built: Built) -> None:
    root = built.out / "parquet"
    package = json.loads((root / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    cells = pd.read_csv(root / "cells.csv", dtype=str, keep_default_na=False)
    assert set(cells["template"]) == {"2021", "2019", "2014", "legacy"} == set(TEMPLATES)
    assert len(cells) == sum(len(load_codebook(t).cells) for t in TEMPLATES)
    crosswalk = pd.read_csv(root / "crosswalk.csv", dtype=str, keep_default_na=False)
    assert len(crosswalk) == len(crosswalk_rows()) > 100
    assert crosswalk.loc[0, "relation"] == "approx"
    stamp = package[STAMP]
    assert stamp["parser_version"] == PARSER_VERSION and stamp["built_at"].endswith("Z")
    assert stamp["rows"] == {name: read_table(root, name).num_rows for name in TABLES}
    assert stamp["reports"] == {"2020": {"2019": 1}, "2022": {"2021": 1}, "2023": {"2021": 2}}


def test_a_rebuild_keeps_the_stamp_when_nothing_changed(built: Built) -> None:
    path = built.out / "parquet" / DATAPACKAGE_FILE
    before = path.read_bytes()
    build_datasets(built.out)
    assert path.read_bytes() == before


@pytest.fixture(scope="module")
def bundles(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bundles")
    return {fmt: export(built.out, fmt, folder / f"nianbao.{fmt}") for fmt in ("csv", "duckdb", "sqlite")}


def test_csv_bundle_is_valid_with_its_own_descriptor(bundles: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(bundles["csv"]) as bundle:
        bundle.extractall(tmp_path)
    package = json.loads((tmp_path / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert paths == {p.name for p in tmp_path.glob("*.csv")}
    for resource in package["resources"]:
        header = (tmp_path / resource["path"]).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.replace('"', "").split(",") == [f["name"] for f in resource["schema"]["fields"]]
    report = frictionless.validate(tmp_path / DATAPACKAGE_FILE)
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_databases_hold_their_descriptor_and_agree_with_it(bundles: dict[str, Path]) -> None:
    for fmt in ("duckdb", "sqlite"):
        con = (
            duckdb.connect(str(bundles[fmt]), read_only=True)
            if fmt == "duckdb"
            else sqlite3.connect(bundles[fmt])
        )
        [(text,)] = con.execute(f"SELECT descriptor FROM {DESCRIPTOR_TABLE}").fetchall()
        package = json.loads(text)
        for resource in package["resources"]:
            name = resource["name"]
            columns = [d[0] for d in con.execute(f'SELECT * FROM "{name}" LIMIT 0').description]
            assert columns == [f["name"] for f in resource["schema"]["fields"]], (fmt, name)
            if name in TABLES:
                [(n,)] = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()
                assert n == package[STAMP]["rows"][name], (fmt, name)
        con.close()


def test_duckdb_bundle_has_the_reader_types(bundles: dict[str, Path]) -> None:
    con = duckdb.connect(str(bundles["duckdb"]), read_only=True)
    for name, spec in TABLES.items():
        types = dict(con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{name}")').fetchall())
        assert types == {c[0]: c[2] for c in reader_columns(spec)}, name
    con.close()
