"""The 2021 template (国办公开办函〔2021〕30号), report years 2021 onwards: 200 cells.

Tables 三 and 四 as in 2019 (pipeline/templates/national.py); table 二 counts 制发/废止/现行有效
documents and 处理决定, and table 三's （六）其他处理 has three rows of its own.
"""

from __future__ import annotations

import re

from pipeline.matcher import Patterns
from pipeline.templates.era import Code
from pipeline.templates.national import NationalEra, table_labels

ACTIVE_COLUMNS: Patterns = (
    ("issued", r"制发"),
    ("repealed", r"废止"),
    ("in_force", r"现行有效"),
    ("decisions", r"处理决定"),
    ("amount", r"收费金额|金额"),
)
# Labels of tables 三 and 四, identical in both eras: a document with only those is taken as 2021.
_SHARED_TABLES = re.compile(r"申请人情况|自然人|复议后起诉|直接起诉")


class Era2021(NationalEra):
    name = "2021"
    description = Code(
        "2021",
        "国办公开办函〔2021〕30号 format (report years 2021–): 200 cells",
        "2021 年版格式，200 个单元格",
    )
    evidence_labels = (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "本年处理决定数量",
        "不补正",
        "缴纳费用",
    )
    labels = table_labels(ACTIVE_COLUMNS)

    def assumed(self, label_keys: set[str]) -> list[str]:
        if any(_SHARED_TABLES.search(k) for k in label_keys):
            return ["tables 三/四 only (identical in both eras): assumed 2021"]
        return []


ERA = Era2021()
