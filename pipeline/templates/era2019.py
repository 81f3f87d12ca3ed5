"""The 2019 trial template (国办公开办函〔2019〕60号), report years 2019–2020: 198 cells.

Tables 三 and 四 as in 2021 (pipeline/templates/national.py); table 二 counts 新制作/新公开/
对外公开总数, items and their change, 处理决定 and 政府集中采购, and table 三's （六）其他处理
is one row with values.
"""

from __future__ import annotations

import re

from pipeline.grid import TableGrid
from pipeline.matcher import Patterns
from pipeline.numbers import label_key, read_cell
from pipeline.report import KIND_EMPTY, KIND_NUMBER
from pipeline.templates.era import Code
from pipeline.templates.national import NationalEra, table_labels

ACTIVE_COLUMNS: Patterns = (
    ("newly_made", r"新制作"),
    ("newly_published", r"新公开"),
    ("total_published", r"公开总数"),
    ("items_last_year", r"上一?年.*项目"),
    ("items_change", r"增/?减"),
    ("decisions", r"处理决定"),
    ("projects", r"采购项目"),
    ("amount", r"总金额|金额"),
)
_OTHER_HANDLING = re.compile(r"(\([六6]\))?其他处理")


class Era2019(NationalEra):
    name = "2019"
    description = Code(
        "2019", "国办公开办函〔2019〕60号 trial format (report years 2019–2020): 198 cells", "2019 年试行格式"
    )
    evidence_labels = (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "政府集中采购",
        "其他对外管理服务事项",
    )
    labels = table_labels(ACTIVE_COLUMNS)

    def evidence(self, grids: list[TableGrid], label_keys: str) -> list[str]:
        found = super().evidence(grids, label_keys)
        if _single_other_handling(grids):
            found.append("(六)其他处理 as one row")
        return found


def _single_other_handling(grids: list[TableGrid]) -> bool:
    """2019's （六）其他处理 is a row of its own with values; in 2021 it only heads three sub-rows."""
    for grid in grids:
        for row in grid.rows:
            texts = [c.text for c in row]
            for i, text in enumerate(texts):
                if _OTHER_HANDLING.fullmatch(label_key(text)):
                    rest = [t for t in texts[i + 1 :] if t != text]
                    if rest and all(read_cell(t).kind in (KIND_NUMBER, KIND_EMPTY) for t in rest):
                        return True
    return False


ERA = Era2019()
