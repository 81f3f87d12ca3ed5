"""Datasette metadata for the served database: every table and column labelled in English and
Chinese from the one schema, the search query for short words, and the plugin's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.datasets.schema import TABLES, TableSpec
from pipeline.serve.database import DATABASE_NAME, FACTS_LABELLED, PAIR_INDEX, REPORT_TEXT, TRIGRAM_INDEX

PLUGIN = "nianbao"
SEARCH_QUERY = "search"
SEARCH_SQL = f"""
SELECT t.report_id, t.year, t.agency_name, t.title, t.url, t.raw_path,
       nianbao_excerpt(t.text, :q) AS excerpt
FROM {REPORT_TEXT} t
WHERE t.rowid IN (SELECT rowid FROM {PAIR_INDEX} WHERE {PAIR_INDEX} MATCH nianbao_match(:q))
ORDER BY t.year DESC, t.agency_id
""".strip()

CELL_LABELS = {  # the columns of pipeline.datasets.datapackage.CELL_COLUMNS (a test ties them)
    "template": "template era · 模板版本",
    "section": "table of the template · 模板表格",
    "item": "row code · 行编码",
    "column": "column code · 列编码",
    "item_label": "row label in the template · 行标签（模板原文）",
    "column_label": "column label in the template · 列标签（模板原文）",
    "unit": "unit · 计量单位",
    "relation_to_2021": "how the cell relates to the 2021 template · 与 2021 版的对应关系",
}
_REPORT_TEXT = {
    "report_id": "report key · 报告编码",
    "year": "report year · 报告年度",
    "agency_id": "agency key · 机关编码",
    "agency_name": "agency name · 机关名称",
    "title": "title · 标题",
    "url": "where it was published · 发布网址",
    "raw_path": "the archived original (link) · 原件存档（链接）",
    "text": "the report's text (without the parsed tables) · 报告正文",
}


def _table(spec: TableSpec) -> dict[str, Any]:
    return {
        "description": f"{spec.en} · {spec.zh}",
        "columns": {c.name: f"{c.en} · {c.zh}" for c in spec.columns},
    }


def metadata(out: Path) -> dict[str, Any]:
    tables: dict[str, Any] = {name: _table(spec) for name, spec in TABLES.items()}
    tables["cells"] = {
        "description": "cell codes of every template · 各模板单元格编码",
        "columns": CELL_LABELS,
    }
    tables[REPORT_TEXT] = {
        "description": "report texts; the search box needs 3 characters or more, the `search` query"
        " finds 1–2 character words (财政) · 报告正文；搜索框至少 3 个字，`search` 查询可搜 1–2 个字的词",
        "columns": _REPORT_TEXT,
        "fts_table": TRIGRAM_INDEX,
    }
    tables[FACTS_LABELLED] = {
        "description": "facts with the template's row and column labels · 附模板行列标签的单元格数据",
        "columns": {
            **_table(TABLES["facts"])["columns"],
            "item_label": CELL_LABELS["item_label"],
            "column_label": CELL_LABELS["column_label"],
        },
    }
    for hidden in (TRIGRAM_INDEX, PAIR_INDEX):
        tables[hidden] = {"hidden": True}
    return {
        "title": "nianbao · 政府信息公开工作年度报告",
        "description": "Annual reports on open government information · 政府信息公开工作年度报告数据",
        "databases": {
            DATABASE_NAME: {
                "tables": tables,
                "queries": {
                    SEARCH_QUERY: {
                        "title": "Search report texts · 全文检索",
                        "description": "Every report whose text holds all the words of q (any length, "
                        "e.g. 财政) · 检索正文包含全部关键词的报告",
                        "sql": SEARCH_SQL,
                    }
                },
            }
        },
        "plugins": {PLUGIN: {"out": str(out.resolve())}},
    }
