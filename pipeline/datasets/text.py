"""The plain-text archive for journalists: one UTF-8 file per report, made for grep.

    <out>/text/YYYY/<agency_id>/<report_id>.txt   a header of HEADER_LINES lines, then the text
    <out>/text/index.tsv                          one line per report: path, agency, region, URL …

The body is Report.text (tables already as rows) followed by the parsed tables as aligned rows, so
`grep -r 不予公开 data/out/text/2024` lands on a line whose file names its agency, year and URL.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.report import Report
from pipeline.summary import fact_tables

if TYPE_CHECKING:
    from pipeline.datasets.grouping import ReportGroup

INDEX_FILE = "index.tsv"
INDEX_COLUMNS = (
    "path",
    "report_id",
    "year",
    "agency_id",
    "agency_name",
    "region_code",
    "region_name",
    "url",
    "title",
)
_RULE = "=" * 72
# (label, index column) of each header line; the header ends with _RULE.
_HEADER = (
    ("标题 Title", "title"),
    ("机关 Agency", "agency_name"),
    ("年度 Year", "year"),
    ("地区 Region", "region"),
    ("网址 URL", "url"),
    ("发布 Published", "published"),
    ("原件 Original", "raw_path"),
    ("编码 Report", "report_id"),
)
HEADER_LINES = len(_HEADER) + 1  # `nianbao grep` skips them: it prints the same facts itself


def text_path(year: int, agency_id: str, report_id: str) -> str:
    """Relative to the output folder."""
    return f"text/{year}/{agency_id}/{report_id}.txt"


def index_entry(group: ReportGroup) -> dict[str, str]:
    primary = group.primary
    assert primary.identity is not None and primary.parsed is not None
    identity = primary.identity
    return {
        "path": text_path(group.year, group.agency_id, group.report_id),
        "report_id": group.report_id,
        "year": str(group.year),
        "agency_id": group.agency_id,
        "agency_name": identity.agency_name,
        "region_code": identity.region_code or "",
        "region_name": identity.region_name or "",
        "url": primary.fetch.url,
        "title": primary.parsed.title or primary.fetch.title,
    }


def render_report_text(entry: dict[str, str], report: Report, published: str, raw_path: str) -> str:
    values = {
        **entry,
        "agency_name": f"{entry['agency_name']} ({entry['agency_id']})",
        "region": f"{entry['region_code']} {entry['region_name']}".strip(),
        "published": published,
        "raw_path": raw_path,
    }
    header = [f"{label}: {_one_line(values[key])}" for label, key in _HEADER]
    parts = ["\n".join([*header, _RULE]), report.text.strip()]
    if tables := fact_tables(report):
        parts.append(f"{_RULE}\n解析所得统计表 Parsed tables\n\n{tables}")
    return "\n\n".join(parts) + "\n"


def report_body(file_text: str) -> str:
    """The report's own text in a text-archive file: without the header and the parsed tables."""
    body = file_text.split(f"{_RULE}\n", 1)[-1]
    return body.split(f"\n{_RULE}\n", 1)[0].strip()


def index_bytes(entries: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, INDEX_COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: _one_line(v) for k, v in e.items()} for e in sorted(entries, key=lambda e: e["path"])
    )
    return buffer.getvalue().encode("utf-8")


def read_index(text_root: Path) -> dict[str, dict[str, str]]:
    """Index entries by path relative to the output folder ({} when there is no index yet)."""
    path = text_root / INDEX_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["path"]: row for row in csv.DictReader(fh, delimiter="\t")}


def _one_line(value: str) -> str:
    return " ".join(str(value or "").split())
