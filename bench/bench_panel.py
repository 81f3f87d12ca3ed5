"""Benchmark: the checks across years, `nianbao compare` and the `nianbao serve` database with its
short-word search, on the synthetic archive of bench_datasets.py.

    .venv/bin/python bench/bench_panel.py                            # 3,000 agencies × 5 years
    .venv/bin/python bench/bench_panel.py --agencies 300 --years 3   # a quick look

Uses the archive bench_datasets.py leaves in --work (built here if absent). Prints each figure
with what it measured; queries run three times on a warm cache and the best time is shown.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable

from bench_datasets import make_archive
from common import T, synthetic_arguments, timed

from pipeline.datasets import build_datasets
from pipeline.datasets.compare import compare
from pipeline.datasets.documents import load_documents
from pipeline.datasets.grouping import group_reports
from pipeline.datasets.layout import read_table
from pipeline.datasets.panel_checks import write_panel_checks
from pipeline.serve.database import serve_database
from pipeline.serve.metadata import SEARCH_SQL
from pipeline.serve.terms import excerpt, match_query

WORD = "财政"  # two characters: the trigram index cannot find it



def best_of_three(action: Callable[[], T]) -> tuple[float, T]:
    runs = [timed(action) for _ in range(3)]
    return min(t for t, _ in runs), runs[0][1]


def main() -> int:
    args = synthetic_arguments(__doc__.splitlines()[0])
    out = args.work / "archive"
    print(f"synthetic archive: {args.agencies} agencies × {args.years} years in {out}", flush=True)
    if make_archive(out, args.agencies, args.years) or not (out / "parquet" / "reports").is_dir():
        seconds, _ = timed(lambda: build_datasets(out))
        print(f"  built the datasets in {seconds:.1f} s", flush=True)
    rows: list[tuple[str, str]] = []
    groups = group_reports(load_documents(out))  # what a build holds when it reaches the checks
    seconds, _ = timed(lambda: write_panel_checks(out, groups))
    checks = read_table(out / "parquet", "panel_checks").num_rows
    rows.append(("panel_checks computed in full (a first build)", f"{seconds:.1f} s, {checks:,} rows"))
    (out / "serve" / "nianbao.sqlite").unlink(missing_ok=True)
    seconds, db = timed(lambda: serve_database(out))
    rows.append(
        (
            "serve database built (export + texts + 2 FTS)",
            f"{seconds:.1f} s, {db.stat().st_size / 1e6:.0f} MB",
        )
    )
    con = sqlite3.connect(db)
    con.create_function("nianbao_match", 1, match_query)
    con.create_function("nianbao_excerpt", 2, excerpt)
    seconds, hits = best_of_three(lambda: con.execute(SEARCH_SQL, {"q": WORD}).fetchall())
    rows.append(
        (f"search query for {WORD} (character-pair FTS)", f"{seconds * 1000:.0f} ms, {len(hits):,} reports")
    )
    like = "SELECT count(*) FROM report_text WHERE text LIKE '%' || ? || '%'"
    seconds, found = best_of_three(lambda: con.execute(like, (WORD,)).fetchone())
    rows.append((f"LIKE scan for {WORD}, for comparison", f"{seconds * 1000:.0f} ms, {found[0]:,} reports"))
    agency = str(read_table(out / "parquet", "reports").column("agency_id")[0])
    seconds, _ = best_of_three(lambda: compare(out, agency))
    rows.append((f"nianbao compare {agency}", f"{seconds:.2f} s"))
    width = max(len(label) for label, _ in rows)
    for label, figure in rows:
        print(f"  {label:<{width}}  {figure}")
    print(
        f"\nreproduce: .venv/bin/python bench/bench_panel.py --agencies {args.agencies} --years {args.years}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
