"""`<out>/parquet/datapackage.json` (Frictionless Data Package) and `cells.csv`, from the schema.

Each table is one resource whose `path` lists its Parquet files (hive partitions: `year` is in the
directory names, see `partitioning`); `cells.csv` is the codebook of (template, section, item,
column) cell codes with their Chinese labels and units, which `facts` refers to.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.codebook import load_codebook
from pipeline.datasets.layout import PARTITION_SCHEMA, data_files, write_if_changed
from pipeline.datasets.schema import SCHEMA_VERSION, TABLES, Column, TableSpec
from pipeline.templates.registry import ERAS

DATAPACKAGE_FILE = "datapackage.json"
CELLS_FILE = "cells.csv"
TEMPLATES = tuple(ERAS)  # every codebook, newest template first
CELL_COLUMNS = (
    "template",
    "section",
    "item",
    "column",
    "item_label",
    "column_label",
    "unit",
    "relation_to_2021",
)


def frictionless_type(column: Column) -> str:
    t = column.type
    if pa.types.is_dictionary(t) or pa.types.is_string(t):
        return "string"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "number"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_list(t):
        return "array"
    raise TypeError(f"no Frictionless type for {t}")


def cell_rows() -> list[dict[str, str]]:
    return [
        {"template": template, **{k: getattr(cell, k) for k in CELL_COLUMNS[1:]}}
        for template in TEMPLATES
        for cell in load_codebook(template).cells
    ]


def write_datapackage(root: Path) -> None:
    """Write datapackage.json and cells.csv beside the tables (only when they change)."""
    write_if_changed(root / CELLS_FILE, _cells_csv())
    write_if_changed(root / DATAPACKAGE_FILE, _json(datapackage(root)))


def datapackage(root: Path) -> dict[str, Any]:
    return {
        "profile": "data-package",
        "name": "nianbao",
        "title": "政府信息公开工作年度报告 — annual reports on open government information, as data",
        "version": SCHEMA_VERSION,
        "resources": [*(_table_resource(root, spec) for spec in TABLES.values()), _cells_resource()],
    }


def _table_resource(root: Path, spec: TableSpec) -> dict[str, Any]:
    files = [p.relative_to(root).as_posix() for p in data_files(root / spec.name)]
    resource: dict[str, Any] = {
        "profile": "data-resource",
        "name": spec.name,
        "description": f"{spec.en} / {spec.zh}",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        # Compacted tables have one file per year: no agency=… folders.
        "partitioning": {
            "flavor": "hive",
            "fields": PARTITION_SCHEMA.names if "/agency=" in str(files) else ["year"],
        },
        "schema": {
            "fields": [_field(c) for c in spec.columns],
            "primaryKey": list(spec.primary_key),
            "foreignKeys": _foreign_keys(spec),
        },
    }
    # A resource needs a path or inline data; a table with no rows yet has no files.
    return {**resource, "path": files} if files else {**resource, "data": []}


def _field(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": column.name,
        "type": frictionless_type(column),
        "description": f"{column.en} / {column.zh}",
        "arrowType": "dictionary<string>" if pa.types.is_dictionary(column.type) else str(column.type),
    }
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.codes:
        constraints["enum"] = [code.value for code in column.codes]
        field["codes"] = {code.value: f"{code.en} / {code.zh}" for code in column.codes}
    if constraints:
        field["constraints"] = constraints
    return field


def _foreign_keys(spec: TableSpec) -> list[dict[str, Any]]:
    keys = []
    if spec.name != "reports" and "report_id" in (c.name for c in spec.columns):
        keys.append({"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["report_id"]}})
    if spec.name == "facts":
        cell = ["template", "section", "item", "column"]
        keys.append({"fields": cell, "reference": {"resource": "cells", "fields": cell}})
    return keys


def _cells_resource() -> dict[str, Any]:
    return {
        "profile": "tabular-data-resource",
        "name": "cells",
        "path": CELLS_FILE,
        "description": "the cell codes of each template, with the labels as published / 各版模板的单元格编码",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [{"name": name, "type": "string"} for name in CELL_COLUMNS],
            "primaryKey": ["template", "section", "item", "column"],
        },
    }


def _cells_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CELL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(cell_rows())
    return buffer.getvalue().encode("utf-8")


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
