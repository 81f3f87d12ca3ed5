"""Benchmark: the national panel at 3,000 agencies × 5 years (3 million facts), against its targets.

    .venv/bin/python bench/bench_datasets.py                            # 3,000 × 5, synthetic archive
    .venv/bin/python bench/bench_datasets.py --agencies 300 --years 2   # a quick look
    .venv/bin/python bench/bench_datasets.py --real-format              # files in every format, ingested

Full-size figures: bench/README.md.

1. An archive of one report per agency and year (pipeline.render). By default a synthetic raw
   archive, written as the crawler writes it (plain text, kept in --work and reused by later runs
   and bench_grep.py); with --real-format, report files in the formats agencies publish (HTML,
   DOCX, XLSX, text) in a folder per agency, added by `nianbao ingest`'s code (then parsed by
   the build, on every CPU).
2. The build from the parse cache (one file per table and year), and a rebuild (nothing written).
3. Reads (best of three), with the issue's targets: a pandas full scan of facts, DuckDB one year, one agency's
   whole history through a pyarrow.dataset filter; files per table and year; bytes against the
   same rows written as one plain Parquet file per year.
4. 300 new reports (300 new agencies of the last year) added to a copy of the built panel, and
   the build that takes them up (parsing included): only the last year's files are rewritten.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from common import cpu_timed, synthetic_arguments, timed

from pipeline.archive import RawArchive
from pipeline.crawl.outputs import update_outputs
from pipeline.datasets import build_datasets
from pipeline.datasets.layout import read_table, years_on_disk
from pipeline.datasets.parallel import parallel_map
from pipeline.datasets.schema import TABLES
from pipeline.datasets.synthetic import RENDERERS, Site, SyntheticArchive
from pipeline.ingest import ingest
from pipeline.regions import DATA as REGIONS_DATA
from pipeline.render import random_ground_truth, render_xlsx
from pipeline.render.truth import DEPARTMENTS

FIRST_YEAR = 2021
NEW_REPORTS = 300
READ_RUNS = 3
# The formats of --real-format, in turn: what agencies publish (PDF and scans: bench_formats.py).
REAL_FORMATS = {
    "html": RENDERERS["html"],
    "docx": RENDERERS["docx"],
    "xlsx": render_xlsx,
    "txt": RENDERERS["text"],
}
TARGETS = {  # the targets (issue 10): label -> (limit, unit)
    "pandas full scan of facts": (2.0, "s"),
    "DuckDB one year of facts": (0.3, "s"),
    "one agency's history (pyarrow.dataset filter)": (0.3, "s"),
    f"add {NEW_REPORTS} new reports to the built panel": (20.0, "s"),
    "files per table and year (most)": (2, "files"),
    "bytes / one plain file per year": (2.0, "×"),
}


def sites(n: int, first: int = 0) -> list[Site]:
    """`n` departments of real current counties: 佳木斯市前进区财政局 …"""
    with (REGIONS_DATA / "gb2260.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    newest = max(r["last"] for r in rows)
    names = {r["code"]: r["name"] for r in rows if r["last"] == newest}
    counties = [c for c in sorted(names) if not c.endswith("00")]
    out = []
    for i in range(first, first + n):
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


def make_real_files(folder: Path, agencies: int, years: int) -> int:
    """Report files in every format, a folder per agency (reused when complete), rendered on
    every CPU (15,000 DOCX and XLSX files take a quarter of an hour on one)."""
    if folder.exists() and sum(1 for p in folder.rglob("*") if p.is_file()) == agencies * years:
        return 0
    shutil.rmtree(folder, ignore_errors=True)
    jobs = [(folder, i, site, years) for i, site in enumerate(sites(agencies))]
    return sum(parallel_map(write_agency_files, jobs, desc="render", unit="agency"))


def write_agency_files(job: tuple[Path, int, Site, int]) -> int:
    """One agency's reports, a format per year in turn, drawn from a generator of its own."""
    folder, i, site, years = job
    rng = random.Random(f"2026/{i}")
    formats = list(REAL_FORMATS.items())
    (folder / site.site_id).mkdir(parents=True)
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        extension, render = formats[(i + year) % len(formats)]
        gt = random_ground_truth(rng, year=year, agency=site.agency, agency_full=site.agency)
        (folder / site.site_id / f"{year}年政府信息公开工作年度报告.{extension}").write_bytes(render(gt))
    return years


def ingest_folders(folder: Path, out: Path, agencies: int) -> int:
    """`nianbao ingest DIR --agency NAME` for every agency's folder (archive only), counted."""
    added = 0
    for site in sites(agencies):
        added += len(ingest([folder / site.site_id], out, agency=site.agency).added)
    return added


def size(folder: Path, pattern: str) -> tuple[int, int]:
    files = [p for p in folder.rglob(pattern) if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def plain_bytes_per_year(root: Path, scratch: Path) -> int:
    """The same rows written as one plain Parquet file per (table, year), pyarrow's defaults."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    total = 0
    for name in TABLES:
        for year in years_on_disk(root, name):
            path = scratch / f"{name}-{year}.parquet"
            pq.write_table(pq.read_table(root / name / f"year={year}"), path)
            total += path.stat().st_size
    return total


def read_figures(root: Path, year: int, agency_id: str) -> dict[str, float]:
    """Each read's best of READ_RUNS (the machine is shared: the best is the read's own cost)."""
    facts = root / "facts"
    con = duckdb.connect()
    one_year = f"SELECT count(*), sum(value) FROM read_parquet('{facts}/**/*.parquet') WHERE year = {year}"
    history = ds.dataset(facts, format="parquet", partitioning="hive")
    assert history.to_table(filter=ds.field("agency_id") == agency_id).num_rows > 0
    reads: dict[str, Callable[[], object]] = {
        "pandas full scan of facts": lambda: pd.read_parquet(facts),
        "DuckDB one year of facts": lambda: con.execute(one_year).fetchall(),
        "one agency's history (pyarrow.dataset filter)": lambda: ds.dataset(
            facts, format="parquet", partitioning="hive"
        ).to_table(filter=ds.field("agency_id") == agency_id),
    }
    return {label: min(timed(read)[0] for _ in range(READ_RUNS)) for label, read in reads.items()}


def add_new_reports(out: Path, copy: Path, agencies: int, years: int) -> tuple[float, float]:
    """NEW_REPORTS reports of new agencies for the last year, added to a copy of the built output
    (hard links: every output is replaced by rename, never written in place), then built: wall
    and CPU seconds."""
    shutil.rmtree(copy, ignore_errors=True)
    for sub in ("archive", "parsed", "parquet", "text"):
        shutil.copytree(out / sub, copy / sub, copy_function=os.link)
    index = copy / "archive" / "documents.jsonl"
    index.unlink()
    shutil.copyfile(out / "archive" / "documents.jsonl", index)  # appended to: a real copy
    rng = random.Random(7)

    def add_and_build() -> None:
        arc = SyntheticArchive(copy)
        for site in sites(NEW_REPORTS, first=agencies):
            arc.publish(site, arc.report(site, FIRST_YEAR + years - 1, rng), fmt="text")
        build_datasets(copy)

    wall, cpu, _ = cpu_timed(add_and_build)
    return wall, cpu


def clock(wall: float, cpu: float) -> str:
    return f"{wall:.1f} s ({cpu:.1f} s CPU)"


def main() -> int:
    args = synthetic_arguments(__doc__.splitlines()[0], real_format=True)
    out = args.work / ("real" if args.real_format else "archive")
    rows: list[tuple[str, str]] = []
    print(f"{args.agencies} agencies × {args.years} years in {out}", flush=True)
    if args.real_format:
        files = args.work / "real-files"
        seconds, made = timed(lambda: make_real_files(files, args.agencies, args.years))
        rows.append(("report files (html, docx, xlsx, text)", f"{seconds:.1f} s" if made else "reused"))
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu, added = cpu_timed(lambda: ingest_folders(files, out, args.agencies))
        rows.append(("ingest into the archive", f"{clock(wall, cpu)}, {added:,} files"))
        wall, cpu, _ = cpu_timed(lambda: update_outputs(out))
        rows.append(("parse every file and build (ingest's update)", clock(wall, cpu)))
    else:
        seconds, made = timed(lambda: make_archive(out, args.agencies, args.years))
        rows.append(("synthetic archive", f"{seconds:.1f} s" if made else "reused"))
        for sub in ("parquet", "text"):
            shutil.rmtree(out / sub, ignore_errors=True)
        wall, cpu, summary = cpu_timed(lambda: build_datasets(out))
        rows.append(
            (
                "build (bodies not yet parsed are parsed)",
                f"{clock(wall, cpu)}, {len(summary.reports):,} reports",
            )
        )
    root = out / "parquet"
    facts = read_table(root, "facts").num_rows
    rows.append(("facts", f"{facts:,}"))
    wall, cpu, _ = cpu_timed(lambda: build_datasets(out))
    rows.append(("rebuild, same archive (no file rewritten)", clock(wall, cpu)))

    year = FIRST_YEAR + args.years - 1
    agency_id = read_table(root, "reports", [year]).column("agency_id")[0].as_py()
    figures: dict[str, float] = read_figures(root, year, agency_id)
    figures["files per table and year (most)"] = max(
        len(list((root / name / f"year={y}").glob("*.parquet")))
        for name in TABLES
        for y in years_on_disk(root, name)
    )
    n, panel = size(root, "*.parquet")
    plain = plain_bytes_per_year(root, args.work / "plain-per-year")
    figures["bytes / one plain file per year"] = panel / plain
    rows.append(
        ("parquet files, bytes", f"{n:,} files, {panel / 1e6:.1f} MB (plain per year: {plain / 1e6:.1f} MB)")
    )
    wall, cpu = add_new_reports(out, args.work / "updated", args.agencies, args.years)
    figures[f"add {NEW_REPORTS} new reports to the built panel"] = wall
    rows.append((f"add {NEW_REPORTS} new reports: CPU", f"{cpu:.1f} s (workers included)"))
    for label, value in figures.items():
        limit, unit = TARGETS[label]
        shown = f"{value:.2f} {unit}" if unit != "files" else f"{value:.0f} files"
        rows.append((label, f"{shown}   target ≤ {limit} {unit}: {'ok' if value <= limit else 'MISSED'}"))

    width = max(len(label) for label, _ in rows)
    print()
    for label, shown in rows:
        print(f"{label:<{width}}  {shown}")
    flags = " --real-format" if args.real_format else ""
    command = (
        f".venv/bin/python bench/bench_datasets.py --agencies {args.agencies} --years {args.years}{flags}"
    )
    print(f"\nreproduce: {command}  (machine: {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
