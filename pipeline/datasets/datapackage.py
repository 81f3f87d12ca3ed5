"""`<out>/parquet/datapackage.json` (a Frictionless Data Package valid under `frictionless
validate`), `cells.csv` and `crosswalk.csv`, generated from the schema.

Each (table, year) file is one resource (`facts-2024`: Frictionless takes one path per resource),
with `table` and `partition` saying what it is; its fields are exactly the file's columns (`year`
is in the folder name). `cells.csv` is the codebook of (template, section, item, column) cell
codes of every template with their Chinese labels, which `facts` refers to; `crosswalk.csv` says
how each 2019-template cell relates to the 2021 one. `nianbao` holds the build stamp.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.codebook import load_codebook
from pipeline.datasets.layout import read_table, write_if_changed, year_file, years_on_disk
from pipeline.datasets.schema import SCHEMA_VERSION, TABLES, Column, TableSpec
from pipeline.parse import PARSER_VERSION
from pipeline.templates.registry import ERAS

DATAPACKAGE_FILE = "datapackage.json"
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
CROSSWALK_SOURCE = "crosswalk-2019-2021.csv"
CROSSWALK_COLUMNS = (
    "section_2019",
    "item_2019",
    "column_2019",
    "relation",
    "section_2021",
    "item_2021",
    "column_2021",
    "note",
)
STAMP = "nianbao"  # the descriptor's build stamp


def cell_rows() -> list[dict[str, str]]:
    return [
        {"template": template, **{k: getattr(cell, k) for k in CELL_COLUMNS[1:]}}
        for template in TEMPLATES
        for cell in load_codebook(template).cells
    ]


def crosswalk_rows() -> list[dict[str, str]]:
    text = resources.files("pipeline.data").joinpath(CROSSWALK_SOURCE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and tuple(rows[0]) == CROSSWALK_COLUMNS, "crosswalk-2019-2021.csv columns changed"
    return rows


def code_tables() -> dict[str, pa.Table]:
    """The tables every bundle ships beside the datasets: cell codes and the 2019→2021 crosswalk."""
    return {
        "cells": _strings(cell_rows(), CELL_COLUMNS),
        "crosswalk": _strings(crosswalk_rows(), CROSSWALK_COLUMNS),
    }


def write_datapackage(root: Path) -> None:
    """Write datapackage.json, cells.csv and crosswalk.csv beside the tables (only when they
    change; built_at moves only when something else in the descriptor did)."""
    for name, table in code_tables().items():
        write_if_changed(root / f"{name}.csv", csv_bytes(table))
    package = datapackage(root)
    path = root / DATAPACKAGE_FILE
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if _without_time(old) == _without_time(package):
            package[STAMP]["built_at"] = old[STAMP]["built_at"]
    write_if_changed(path, package_json(package))


def datapackage(root: Path) -> dict[str, Any]:
    """The descriptor of the datasets under `root`: one resource per (table, year) file."""
    table_resources = [
        _table_resource(spec, year, root)
        for spec in TABLES.values()
        for year in years_on_disk(root, spec.name)
    ]
    return {
        "profile": "data-package",
        "name": "nianbao",
        "title": "政府信息公开工作年度报告 — annual reports on open government information, as data",
        "version": SCHEMA_VERSION,
        STAMP: build_stamp(root),
        "resources": [*table_resources, *(code_resource(name, f"{name}.csv") for name in code_tables())],
    }


def build_stamp(root: Path) -> dict[str, Any]:
    """When and by which parser the files were built, their rows, and reports per year and template."""
    reports = read_table(root, "reports").select(["year", "template"]).to_pylist()
    per_year: dict[str, Counter[str]] = {}
    for row in reports:
        per_year.setdefault(str(row["year"]), Counter())[row["template"] or "none"] += 1
    return {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "parser_version": PARSER_VERSION,
        "schema_version": SCHEMA_VERSION,
        "rows": {name: _rows(root, name) for name in TABLES},
        "reports": {year: dict(sorted(c.items())) for year, c in sorted(per_year.items())},
    }


def resource_name(table: str, year: int) -> str:
    return f"{table}-{year}"


def table_fields(spec: TableSpec) -> list[dict[str, Any]]:
    """The Frictionless fields of a table's files (the partition key `year` is in the path only)."""
    return [table_field(c, parquet=True) for c in spec.file_columns]


def _table_resource(spec: TableSpec, year: int, root: Path) -> dict[str, Any]:
    return {
        "profile": "tabular-data-resource",
        "name": resource_name(spec.name, year),
        "path": year_file(root, spec.name, year).relative_to(root).as_posix(),
        "description": f"{spec.en}, {year} / {spec.zh}，{year} 年",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "table": spec.name,
        "partition": {"year": year},
        "schema": {
            "fields": table_fields(spec),
            "primaryKey": [k for k in spec.primary_key if k != "year"],
            "foreignKeys": _foreign_keys(spec, year),
        },
    }


def table_field(column: Column, *, parquet: bool) -> dict[str, Any]:
    """A column as a Frictionless field. Frictionless reads Parquet through pandas, whose lists are
    numpy arrays it will not take as `array`: in Parquet resources lists are `any` (arrowType says
    what they are); text formats hold them as JSON arrays, which `array` reads."""
    kind = column.readers.frictionless
    field: dict[str, Any] = {
        "name": column.name,
        "type": "any" if parquet and kind == "array" else kind,
        "description": f"{column.en} / {column.zh}",
        "arrowType": str(column.type),
    }
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.codes:
        if kind != "array":  # the codes of a list column are those of its items
            constraints["enum"] = [code.value for code in column.codes]
        field["codes"] = {code.value: f"{code.en} / {code.zh}" for code in column.codes}
    if constraints:
        field["constraints"] = constraints
    return field


def _foreign_keys(spec: TableSpec, year: int) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    if spec.name in ("facts", "checks"):
        reports = resource_name("reports", year)
        keys.append({"fields": ["report_id"], "reference": {"resource": reports, "fields": ["report_id"]}})
    if spec.name == "facts":
        cell = ["template", "section", "item", "column"]
        keys.append({"fields": cell, "reference": {"resource": "cells", "fields": cell}})
    return keys


def code_resource(name: str, path: str, fmt: str = "csv") -> dict[str, Any]:
    columns, key, description = {
        "cells": (
            CELL_COLUMNS,
            ["template", "section", "item", "column"],
            "the cell codes of each template (2021, 2019, 2014, legacy), with the labels as published"
            " / 各版模板的单元格编码",
        ),
        "crosswalk": (
            CROSSWALK_COLUMNS,
            [],  # a 2019 cell may map to several 2021 cells, and a 2021 cell to none
            "how each 2019-template cell relates to the 2021 template / 2019 版与 2021 版单元格对照",
        ),
    }[name]
    return {
        "profile": "tabular-data-resource",
        "name": name,
        "path": path,
        "description": description,
        "format": fmt,
        **({"mediatype": "text/csv", "encoding": "utf-8"} if fmt == "csv" else {}),
        "schema": {
            "fields": [{"name": c, "type": "string"} for c in columns],
            **({"primaryKey": key} if key else {}),
        },
    }


def csv_bytes(table: pa.Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, table.column_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table.to_pylist())
    return buffer.getvalue().encode("utf-8")


def _strings(rows: list[dict[str, str]], columns: tuple[str, ...]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in columns]))


def _rows(root: Path, table: str) -> int:
    return sum(pq.read_metadata(year_file(root, table, y)).num_rows for y in years_on_disk(root, table))


def _without_time(package: dict[str, Any]) -> dict[str, Any]:
    return {**package, STAMP: {**package.get(STAMP, {}), "built_at": None}}


def package_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
