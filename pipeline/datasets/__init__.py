"""Datasets and text archive, built from the raw archive (and its parse cache) alone.

    <out>/parquet/{reports,facts,checks,documents}/year=YYYY/part-0.parquet   (layout.py)
    <out>/parquet/datapackage.json, cells.csv, crosswalk.csv    (Frictionless description, codes)
    <out>/text/YYYY/<agency_id>/<report_id>.txt, text/index.tsv

The crawler and `nianbao ingest` call `build_datasets(out)` after adding to the archive;
`nianbao datasets` and `nianbao reparse` call it by hand. The schema is in `schema.py`;
docs/codebook.md is generated from it.

The names below are imported on first use, so that `nianbao parse` or `nianbao grep` do not
load pyarrow and the parser's process pool just to start.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.datasets.build import build_datasets, compact_datasets
    from pipeline.datasets.summary import BuildSummary, format_build_summary, print_build_summary

DEFAULT_OUT = Path("data/out")  # the crawl's output folder: every command looks there by default

_EXPORTS = {
    "build_datasets": "pipeline.datasets.build",
    "compact_datasets": "pipeline.datasets.build",
    "BuildSummary": "pipeline.datasets.summary",
    "format_build_summary": "pipeline.datasets.summary",
    "print_build_summary": "pipeline.datasets.summary",
}
__all__ = [
    "DEFAULT_OUT",
    "BuildSummary",
    "build_datasets",
    "compact_datasets",
    "format_build_summary",
    "print_build_summary",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
