"""Ground-truth generator and renderer of annual reports (政府信息公开工作年度报告).

The parser tests, the benchmarks and the local replica sites are built from this package, so it
is written from the specification (domain-notes §1, §2, §6 and the seed report) alone and shares
no code with the parser: `random_ground_truth` draws a rule-consistent report, the renderers
write it out as text, HTML (several styles and encodings), DOCX and XLSX.
"""

from .decoys import NOT_REPORT_KINDS, render_not_report
from .html import ENCODINGS, STYLES, render_html
from .office import render_docx, render_xlsx
from .tables import Cell, Table, build_tables, layout
from .text import render_text
from .truth import (
    RULES,
    GroundTruth,
    continue_from,
    parse_published,
    random_ground_truth,
    result_items,
    rule_failures,
)

__all__ = [
    "ENCODINGS",
    "NOT_REPORT_KINDS",
    "RULES",
    "STYLES",
    "Cell",
    "GroundTruth",
    "Table",
    "build_tables",
    "continue_from",
    "layout",
    "parse_published",
    "random_ground_truth",
    "render_docx",
    "render_html",
    "render_not_report",
    "render_text",
    "render_xlsx",
    "result_items",
    "rule_failures",
]
