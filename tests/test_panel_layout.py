"""The Parquet layout: one file per table and year, rows clustered by agency in row groups with
statistics, and a year replaced by one rename (a reader holding the old file keeps reading it)."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from test_datasets import FINANCE, Built

from pipeline.codebook import load_codebook
from pipeline.datasets import build_datasets, layout
from pipeline.datasets.layout import year_file
from pipeline.datasets.synthetic import SyntheticArchive


@pytest.fixture
def copy(built: Built, tmp_path: Path) -> Built:
    shutil.copytree(built.out, tmp_path / "out")
    return dataclasses.replace(built, out=tmp_path / "out")


def test_rows_are_sorted_by_agency_then_report_then_cell_order(built: Built) -> None:
    root = built.out / "parquet"
    for year in (2020, 2022, 2023):
        facts = pq.read_table(year_file(root, "facts", year)).to_pandas()
        assert list(facts["agency_id"]) == sorted(facts["agency_id"])
        for (_, report_id), cells in facts.groupby(["agency_id", "report_id"], sort=False):
            keys = list(zip(cells["section"], cells["item"], cells["column"], strict=True))
            assert keys == list(load_codebook(cells["template"].iloc[0]).keys), report_id


def test_an_agency_filter_reads_only_the_row_groups_holding_it(
    copy: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout, "ROW_GROUP_ROWS", 50)
    shutil.rmtree(copy.out / "parquet")
    build_datasets(copy.out, workers=1)
    path = year_file(copy.out / "parquet", "facts", 2023)
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups >= 8
    column = metadata.schema.names.index("agency_id")
    assert all(
        metadata.row_group(i).column(column).statistics.has_min_max for i in range(metadata.num_row_groups)
    )
    facts = pd.read_parquet(path)
    fragment = next(ds.dataset(path, format="parquet").get_fragments())
    for agency, rows in facts.groupby("agency_id").size().items():
        groups = fragment.subset(filter=ds.field("agency_id") == agency).row_groups
        assert rows <= sum(g.num_rows for g in groups) <= rows + 2 * 50, agency


def test_a_year_is_replaced_whole_by_one_rename(copy: Built) -> None:
    path = year_file(copy.out / "parquet", "facts", 2023)
    old_reader = pq.ParquetFile(path)  # a reader that opened the year before the update
    old_rows, old_inode = old_reader.metadata.num_rows, path.stat().st_ino
    arc = SyntheticArchive(copy.out, start=pd.Timestamp("2025-04-01", tz="UTC").to_pydatetime())
    arc.publish(FINANCE, arc.report(FINANCE, 2023, random.Random(11)), name="2023-extra")
    mtime_2022 = year_file(copy.out / "parquet", "facts", 2022).stat().st_mtime_ns
    build_datasets(copy.out, workers=1)
    assert path.stat().st_ino != old_inode
    assert old_reader.read().num_rows == old_rows  # still the whole old year
    assert pq.read_metadata(path).num_rows > 0
    assert year_file(copy.out / "parquet", "facts", 2022).stat().st_mtime_ns == mtime_2022
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert not [p for p in (copy.out / "parquet").rglob("*") if p.name.startswith(".")]


def test_files_follow_the_umask(built: Built) -> None:
    for sub in ("parquet", "text", "archive", "parsed"):
        modes = {p.stat().st_mode & 0o777 for p in (built.out / sub).rglob("*") if p.is_file()}
        assert modes == {0o666 & ~_umask()}, (sub, sorted(oct(m) for m in modes))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
