"""The 2014–2018 national statistics table (《政府信息公开情况统计表》, 国办发〔2014〕32号), generated.

Laid out as the national form (domain-notes §3.2): 统计指标 | 单位 | 统计数, block heading rows
with "—", sub-item rows whose labels repeat between blocks. Values are consistent with the form's
implied sums (written here from the form, not taken from the parser's rules).
"""

from __future__ import annotations

import csv
import html
import random
from functools import cache
from importlib import resources

from pipeline.codebook import load_codebook

from .truth import GroundTruth

SUMS = {
    "requests_received": ("requests_in_person", "requests_fax", "requests_online", "requests_letter"),
    "requests_closed": ("requests_closed_on_time", "requests_closed_extended"),
    "answers_refused": (
        "refused_state_secret",
        "refused_commercial_secret",
        "refused_privacy",
        "refused_security_stability",
        "refused_not_gov_info",
        "refused_other_law",
    ),
    "review_total": ("review_upheld", "review_corrected", "review_other"),
    "litigation_total": ("litigation_upheld", "litigation_corrected", "litigation_other"),
    "staff_total": ("staff_full_time", "staff_part_time"),
}
MONEY = ("fees", "budget")  # 万元, two decimals


def stats_truth(seed: int) -> dict[str, float]:
    """Values for every row of the table, consistent with its implied sums."""
    rng = random.Random(seed)
    values: dict[str, float] = {}
    for cell in load_codebook("2014").cells:
        values[cell.item] = round(rng.uniform(0, 50), 2) if cell.item in MONEY else rng.randint(0, 400)
    for total, parts in SUMS.items():
        values[total] = sum(values[p] for p in parts)
    return values


@cache
def unit_labels() -> dict[str, str]:
    text = resources.files("pipeline.data").joinpath("codebook-2014.csv").read_text(encoding="utf-8")
    return {row["item"]: row["unit_label"] for row in csv.DictReader(text.splitlines())}


def _published(item: str, value: float) -> str:
    return f"{value:.2f}" if item in MONEY else f"{value:g}"


def table_rows(values: dict[str, float]) -> list[tuple[str, str, str]]:
    """(统计指标, 单位, 统计数) rows in the form's order, with the block heading rows ("…情况 | —")."""
    rows: list[tuple[str, str, str]] = []
    units = unit_labels()
    seen: set[str] = set()
    for cell in load_codebook("2014").cells:
        path = cell.item_label.split("/")
        for heading in path[:-1]:
            if heading.endswith("情况") and heading not in seen:
                rows.append((heading, "—", ""))
                seen.add(heading)
        rows.append((path[-1], units[cell.item], _published(cell.item, values[cell.item])))
    return rows


def stats_ground_truth(
    seed: int, *, agency: str, agency_full: str, year: int, published_date: str
) -> GroundTruth:
    """A 2014–2018 report of one agency: the table's values as a GroundTruth of template "2014"."""
    values = stats_truth(seed)
    cells = load_codebook("2014").cells
    return GroundTruth(
        template="2014",
        year=year,
        agency=agency,
        agency_full=agency_full,
        title=f"{agency}{year}年政府信息公开工作年度报告",
        values={c.key: values[c.item] for c in cells},
        published={c.key: _published(c.item, values[c.item]) for c in cells},
        published_date=published_date,
        agency_kind="gov" if agency.endswith("人民政府") else "dept",
    )


def render_stats_body(gt: GroundTruth) -> str:
    """The report as the HTML inside a detail page: prose, then the table as 附表."""
    values = {key[1]: value for key, value in gt.values.items() if value is not None}
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in (str(n), *row)) + "</tr>"
        for n, row in enumerate(table_rows(values), start=1)
    )
    y = gt.year
    return (
        f"<p>本报告由{html.escape(gt.agency_full)}编制，本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。</p>"
        "<p>一、概述。全年主动公开政府信息，依申请公开工作运行平稳。</p>"
        "<p>附表：政府信息公开情况统计表</p>"
        "<table border='1'><tr><th>序号</th><th>统计指标</th><th>单位</th><th>统计数</th></tr>"
        f"{body}</table>"
        f"<p style='text-align:right'>{html.escape(gt.agency_full)}</p>"
    )
