"""What a link's title says it leads to: a report, a look-alike that is not one, or a sub-column.

Report links are recognised by title, never by position: 政府信息公开 + 年度报告/年报 and a year
(variants such as 关于2023年度政府信息公开工作的报告). The words that make a title a non-report
(决算, 指南, 解读, 说明, 通知 …) are the parser's (`pipeline.metadata.is_report`), so the crawl and
the parser never disagree about them.
"""

from __future__ import annotations

import re

from pipeline.metadata import is_report
from pipeline.numbers import squash

REPORT = "report"
NOT_REPORT = "not_report"
COLUMN = "column"
OTHER = "other"

_YEAR = re.compile(r"(19|20)\d{2}")
# Lists cut long titles: "2023年政府信息公开工作年度…".
_TRUNCATED = re.compile(r"(\.{2,}|…+|。。+)$")
_INFO_DISCLOSURE = re.compile(r"(政府|政务)?信息公开")
# Sub-columns of a report column: years, and agency types (domain-notes §4.1).
_YEAR_COLUMN = re.compile(r"^(19|20)\d{2}(年度?)?(政府信息公开)?(工作)?(年度)?(报告|年报)?$")
_COLUMN_WORDS = re.compile(
    r"年报|年度报告|部门|街道|乡镇|镇街|区县|县区|县\(市\)区|县市区|工作机构|派出机关|直属|事业单位|"
    r"委办局|市直|区直|县直|区政府|县政府|市政府|政府办"
)
_MAX_COLUMN_TITLE = 20


def classify(title: str) -> tuple[str, str]:
    """(REPORT | NOT_REPORT | COLUMN | OTHER, why) for a link title."""
    text = squash(title)
    if not text:
        return OTHER, "no title"
    has_year = bool(_YEAR.search(text))
    if is_report(text, has_tables=False):
        return (REPORT, "report title") if has_year else (COLUMN, "report words without a year")
    truncated = has_year and _TRUNCATED.search(text) and _INFO_DISCLOSURE.search(text) and "年度" in text
    if truncated and is_report(_TRUNCATED.sub("", text) + "报告", has_tables=False):
        return REPORT, "truncated report title"
    if _looks_excluded(text):
        return NOT_REPORT, "not-report words"
    if len(text) <= _MAX_COLUMN_TITLE and (_YEAR_COLUMN.match(text) or _COLUMN_WORDS.search(text)):
        return COLUMN, "sub-column title"
    return OTHER, "no report words"


def _looks_excluded(text: str) -> bool:
    """Whether a title carries the parser's not-report words (决算, 指南 …): with a report phrase
    appended, only those words can make `is_report` say no."""
    return not is_report(text + "政府信息公开工作年度报告", has_tables=False)
