"""`nianbao export`: DuckDB, SQLite and zipped-CSV bundles hold every row of every table."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_datasets import Built, make_archive

from pipeline.cli import main as cli_main
from pipeline.datasets import build_datasets
from pipeline.datasets.datapackage import DATAPACKAGE_FILE
from pipeline.datasets.export import export
from pipeline.datasets.layout import read_table
from pipeline.datasets.schema import TABLES


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    result = make_archive(tmp_path_factory.mktemp("export") / "out")
    build_datasets(result.out)
    return result


@pytest.fixture(scope="module")
def counts(built: Built) -> dict[str, int]:
    return {name: read_table(built.out / "parquet", name).num_rows for name in TABLES}


def test_duckdb_bundle(built: Built, counts: dict[str, int]) -> None:
    path = export(built.out, "duckdb")
    assert path == built.out / "export" / "nianbao.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    for name, n in counts.items():
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (n,)
    assert con.execute("SELECT count(*) FROM cells").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM crosswalk").fetchall()[0][0] > 0
    failed = con.execute("SELECT typeof(checks_failed), typeof(year) FROM reports LIMIT 1").fetchone()
    assert failed == ("VARCHAR[]", "BIGINT")
    con.close()


def test_sqlite_bundle(built: Built, counts: dict[str, int]) -> None:
    path = export(built.out, "sqlite")
    con = sqlite3.connect(path)
    for name, n in counts.items():
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (n,)
    fetched, failed, names = con.execute(
        "SELECT fetched_at, checks_failed, raw_names FROM reports"
    ).fetchone()
    assert fetched.endswith("Z") and isinstance(json.loads(failed), list) and json.loads(names)
    # LIKE finds 2-character words, which an FTS5 trigram index would not.
    assert con.execute("SELECT count(*) FROM reports WHERE agency_name LIKE '%财政%'").fetchall()[0][0] == 2
    con.close()


def test_csv_bundle(built: Built, counts: dict[str, int]) -> None:
    path = export(built.out, "csv")
    with zipfile.ZipFile(path) as bundle:
        names = {*(f"{n}.csv" for n in TABLES), "cells.csv", "crosswalk.csv", DATAPACKAGE_FILE}
        assert set(bundle.namelist()) == names
        for name, n in counts.items():
            table = pd.read_csv(io.BytesIO(bundle.read(f"{name}.csv")))
            assert len(table) == n
            assert list(table.columns) == TABLES[name].schema.names


def test_cli_export(built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bundle.sqlite"
    assert cli_main(["export", "--format", "sqlite", "--out", str(built.out), "--to", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.exists() and not list(tmp_path.glob(".export-*"))


def test_partitioned_export_has_a_folder_per_agency(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "by-agency"
    argv = ["export", "--partition-by", "year,agency", "--out", str(built.out), "--to", str(target)]
    assert cli_main(argv) == 0
    assert capsys.readouterr().out.strip() == str(target)
    reports = read_table(built.out / "parquet", "reports")
    folders = {
        p.parent.relative_to(target / "reports").as_posix() for p in target.glob("reports/**/*.parquet")
    }
    expected = {
        f"year={y}/agency_id={a}"
        for y, a in zip(reports["year"].to_pylist(), reports["agency_id"].to_pylist(), strict=True)
    }
    assert folders == expected
    con = duckdb.connect()
    source = f"read_parquet('{target}/facts/**/*.parquet', hive_partitioning = true)"
    columns = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description]
    assert sorted(columns) == sorted(TABLES["facts"].schema.names)  # agency_id once, no `agency`
    [(n,)] = con.execute(f"SELECT count(*) FROM {source} WHERE typeof(year) = 'BIGINT'").fetchall()
    assert n == read_table(built.out / "parquet", "facts").num_rows


def test_export_refuses_bad_arguments(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["export", "--out", str(built.out)]) == 2
    assert cli_main(["export", "--format", "csv", "--partition-by", "year", "--out", str(built.out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("nianbao export: ") for line in err)
    with pytest.raises(SystemExit) as exit_:
        cli_main(["export", "--partition-by", "agency,region", "--out", str(built.out)])
    assert exit_.value.code == 2
