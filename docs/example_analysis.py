"""Example analysis: requests for government information per year, by outcome.

Loads the `facts` dataset twice, with pandas and with DuckDB, checks that both give the same
numbers, prints them and draws a stacked bar chart to a PNG:

    .venv/bin/pip install -e '.[research]'      # matplotlib
    .venv/bin/nianbao datasets --out data/out     # or `make demo`
    .venv/bin/python docs/example_analysis.py --out data/out --png requests_by_outcome.png

Codes are explained in docs/codebook.md. Table 三 of every report gives, for each outcome
(予以公开, 部分公开, 不予公开 …), the number of requests per applicant type; the `total` column
sums the applicant types. Blank cells are null: `sum` skips them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pandas as pd

# Outcome groups of table 三, by the prefix of their item codes (identical in both templates).
OUTCOMES = {
    "disclosed": "disclosed (予以公开)",
    "partially_disclosed": "partially disclosed (部分公开)",
    "withheld": "withheld (不予公开)",
    "unavailable": "unavailable (无法提供)",
    "not_processed": "not processed (不予处理)",
    "other": "other handling (其他处理)",
}


def outcome_of(item: str) -> str | None:
    return next((group for group in OUTCOMES if item == group or item.startswith(group + "_")), None)


def with_pandas(out: Path) -> pd.DataFrame:
    facts = pd.read_parquet(
        out / "parquet" / "facts",
        columns=["year", "section", "item", "column", "value"],
        filters=[("section", "==", "requests"), ("column", "==", "total")],
    )
    facts["year"] = facts["year"].astype(int)  # a hive partition key arrives as a category
    facts["outcome"] = facts["item"].astype(str).map(outcome_of)
    facts = facts.dropna(subset=["outcome"])
    table = facts.pivot_table(index="year", columns="outcome", values="value", aggfunc="sum", fill_value=0)
    return table.reindex(columns=list(OUTCOMES), fill_value=0).astype("int64")


def with_duckdb(out: Path) -> pd.DataFrame:
    cases = " ".join(f"WHEN item = '{g}' OR item LIKE '{g}\\_%' ESCAPE '\\' THEN '{g}'" for g in OUTCOMES)
    query = f"""
        SELECT year, CASE {cases} END AS outcome, sum(value) AS requests
        FROM read_parquet('{out / "parquet" / "facts"}/**/*.parquet', hive_partitioning = true)
        WHERE section = 'requests' AND "column" = 'total'
        GROUP BY ALL HAVING outcome IS NOT NULL
    """
    long = duckdb.sql(query).df()
    table = long.pivot_table(index="year", columns="outcome", values="requests", aggfunc="sum", fill_value=0)
    table.index = table.index.astype(int)
    return table.reindex(columns=list(OUTCOMES), fill_value=0).astype("int64")


def draw(table: pd.DataFrame, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    bottom = pd.Series(0, index=table.index)
    for group in OUTCOMES:
        ax.bar(table.index.astype(str), table[group], bottom=bottom, label=group.replace("_", " "))
        bottom = bottom + table[group]
    ax.set_xlabel("report year")
    ax.set_ylabel("requests handled")
    ax.set_title("Requests for government information, by outcome")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/out"), help="the datasets' output folder")
    parser.add_argument("--png", type=Path, default=Path("requests_by_outcome.png"))
    args = parser.parse_args()
    table = with_pandas(args.out)
    pd.testing.assert_frame_equal(table, with_duckdb(args.out), check_names=False, check_index_type=False)
    print(table.rename(columns=OUTCOMES).to_string())
    draw(table, args.png)
    print(f"chart: {args.png}")


if __name__ == "__main__":
    main()
