"""Benchmark: build, write and read the datasets for a synthetic 3,000 agencies × 5 years.

    .venv/bin/python bench/bench_datasets.py                         # 3,000 × 5 ≈ 3 million facts
    .venv/bin/python bench/bench_datasets.py --agencies 300 --years 2  # a quick look

1. A synthetic raw archive: one plain-text report per agency and year (pipeline.render), with the
   registry hints a crawl records (kept in --work and reused by later runs and bench_grep.py).
2. Parsing every body on every CPU (this fills the parse cache); `build_datasets` from that cache,
   writing all tables, one file per (year, agency), and the text archive; a rebuild over the same
   archive (nothing to write).
3. The same four tables written from memory as one file per year (the layout `nianbao compact`
   leaves); both layouts read back by pandas and DuckDB: a full scan and one year.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from common import synthetic_arguments

from pipeline.archive import RawArchive
from pipeline.datasets import build_datasets
from pipeline.datasets.documents import load_documents
from pipeline.datasets.layout import PART_FILE, parquet_bytes, read_table
from pipeline.datasets.layout import encode as encode_table
from pipeline.datasets.schema import TABLES
from pipeline.datasets.synthetic import Site, SyntheticArchive
from pipeline.regions import DATA as REGIONS_DATA
from pipeline.render.truth import DEPARTMENTS

FIRST_YEAR = 2021


def sites(n: int) -> list[Site]:
    """`n` departments of real current counties: 佳木斯市前进区财政局 …"""
    with (REGIONS_DATA / "gb2260.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    newest = max(r["last"] for r in rows)
    names = {r["code"]: r["name"] for r in rows if r["last"] == newest}
    counties = [c for c in sorted(names) if not c.endswith("00")]
    out = []
    for i in range(n):
        # Every department in turn, spread over all provinces by a prime stride through the counties.
        code = counties[(i * 7919) % len(counties)]
        place = names.get(code[:2] + "0000", "") + names.get(code[:4] + "00", "") + names[code]
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        out.append(Site(f"s{i:05d}", f"{place}{dept}", code, "department"))
    return out


def make_archive(out: Path, agencies: int, years: int) -> int:
    """The synthetic archive under `out` (reused when it already holds as many documents)."""
    if out.exists() and sum(1 for _ in RawArchive(out).records()) == agencies * years:
        return 0
    shutil.rmtree(out, ignore_errors=True)
    rng = random.Random(2025)
    arc = SyntheticArchive(out)
    for site in sites(agencies):
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            arc.publish(site, arc.report(site, year, rng), fmt="text")
    return agencies * years


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def size(folder: Path, pattern: str) -> tuple[int, int]:
    files = [p for p in folder.rglob(pattern) if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def write_per_year(tables: dict[str, pa.Table], root: Path) -> float:
    """Write every table as one file per year; returns the seconds taken."""
    shutil.rmtree(root, ignore_errors=True)
    start = time.perf_counter()
    for name, table in tables.items():
        for year in sorted(set(table.column("year").to_pylist())):
            rows = table.filter(pc.equal(table["year"], year))
            path = root / name / f"year={year}" / PART_FILE
            path.parent.mkdir(parents=True)
            path.write_bytes(parquet_bytes(encode_table(rows, TABLES[name])))
    return time.perf_counter() - start


def read_times(root: Path, year: int) -> dict[str, float]:
    facts = root / "facts"
    glob = f"read_parquet('{facts}/**/*.parquet', hive_partitioning = true)"
    con = duckdb.connect()
    return {
        "pandas full scan": timed(lambda: pd.read_parquet(facts))[0],
        "pandas one year": timed(lambda: pd.read_parquet(facts, filters=[("year", "==", year)]))[0],
        "duckdb full scan": timed(lambda: con.execute(f"SELECT count(*), sum(value) FROM {glob}").fetchall())[
            0
        ],
        "duckdb one year": timed(
            lambda: con.execute(f"SELECT count(*), sum(value) FROM {glob} WHERE year = {year}").fetchall()
        )[0],
    }


def main() -> int:
    args = synthetic_arguments(__doc__.splitlines()[0])
    out = args.work / "archive"
    print(f"synthetic archive: {args.agencies} agencies × {args.years} years in {out}", flush=True)
    seconds, made = timed(lambda: make_archive(out, args.agencies, args.years))
    print(f"  generated {made} reports in {seconds:.1f} s" if made else "  reused", flush=True)
    (out / "parsed").exists() and shutil.rmtree(out / "parsed")  # so that the first build parses
    for sub in ("parquet", "text"):
        shutil.rmtree(out / sub, ignore_errors=True)

    rows: list[tuple[str, str]] = []
    seconds, documents = timed(lambda: load_documents(out))
    rows.append(
        ("parse every body (fills the parse cache)", f"{seconds:.1f} s, {len(documents):,} documents")
    )
    seconds, summary = timed(lambda: build_datasets(out))
    facts = read_table(out / "parquet", "facts").num_rows
    rows.append(
        ("build from the parse cache", f"{seconds:.1f} s, {len(summary.reports):,} reports, {facts:,} facts")
    )
    seconds, _ = timed(lambda: build_datasets(out))
    rows.append(("rebuild, same archive (no file rewritten)", f"{seconds:.1f} s"))
    n, b = size(out / "text", "*.txt")
    rows.append(("text archive", f"{n:,} files, {b / 1e6:.1f} MB"))

    year = FIRST_YEAR + args.years - 1
    per_year = args.work / "layout-per-year"
    seconds = write_per_year({name: read_table(out / "parquet", name) for name in TABLES}, per_year)
    layouts = (
        ("one file per (year, agency), as built", out / "parquet", ""),
        ("one file per year", per_year, f"written in {seconds:.1f} s, "),
    )
    for label, root, note in layouts:
        n, b = size(root, "*.parquet")
        rows.append((f"4 tables, {label}", f"{note}{n:,} files, {b / 1e6:.1f} MB"))
        for what, t in read_times(root, year).items():
            rows.append((f"  read facts, {what}", f"{t:.2f} s"))

    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    command = f".venv/bin/python bench/bench_datasets.py --agencies {args.agencies} --years {args.years}"
    print(f"\nreproduce: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
