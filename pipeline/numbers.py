"""Text normalisation and the reading of one published cell into a kind and a value."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipeline.limits import NUMBER_MAX_DIGITS
from pipeline.report import KIND_EMPTY, KIND_NOT_APPLICABLE, KIND_NUMBER, KIND_TEXT

# Spaces of every sort that Word, CMS editors and PDF extraction leave inside cells.
_SPACE_RE = re.compile(r"[\s\u00a0\u2000-\u200b\u3000\ufeff]+")
# Quote and bracket variants folded together so that labels compare equal (quirk 14).
_FOLD = str.maketrans(
    {
        "“": "",
        "”": "",
        '"': "",
        "‘": "",
        "’": "",
        "'": "",
        "「": "",
        "」": "",
        "〔": "[",
        "〕": "]",
        "﹝": "[",
        "﹞": "]",
        "【": "[",
        "】": "]",
        "，": ",",
        "、": ",",
        "：": ":",
        "；": ";",
        "．": ".",
        "。": ".",
    }
)

NOT_APPLICABLE_TOKENS = frozenset(
    {"/", "\\", "／", "-", "--", "---", "—", "——", "–", "－", "―", "不适用", "无", "n/a", "na", "×", "x"}
)
# Units written inside a number cell; the money units are converted by the matcher.
_UNIT_SUFFIX = re.compile(r"(万元|亿元|元|件|条|个|次|人次|人|篇|宗|项|份|家|起|万)$")
_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def nfkc(text: str) -> str:
    """NFKC (full-width to half-width, compatibility forms to their plain letters).

    Computed as NFC of NFKD, which is the definition of NFKC: CPython's NFKC runs its composition
    step over a whole Chinese text whenever one full-width comma is in it (0.2 ms per 3,000
    characters), while NFC of the decomposed text sees at once that nothing is left to compose."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text))


def squash(text: str) -> str:
    """NFKC (full-width to half-width) and no white space at all."""
    return _SPACE_RE.sub("", nfkc(text))


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """A label reduced to what identifies it: no spaces, quotes, or punctuation variants."""
    return squash(text).translate(_FOLD).lower()


def clean_text(text: str) -> str:
    """Collapse runs of white space to one space (for display, raw labels)."""
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True)
class CellValue:
    kind: str
    value: int | float | None
    unit: str = ""  # unit written in the cell ("元", "万元" …), "" when none


@lru_cache(maxsize=65536)
def read_cell(raw: str) -> CellValue:
    """Read a published cell: blank, not applicable, a number (with unit or sign), or text."""
    text = squash(raw)
    if not text:
        return CellValue(KIND_EMPTY, None)
    if text.lower() in NOT_APPLICABLE_TOKENS:
        return CellValue(KIND_NOT_APPLICABLE, None)
    unit = ""
    match = _UNIT_SUFFIX.search(text)
    if match and match.start() > 0:
        unit = match.group(1)
        text = text[: match.start()]
    text = text.replace("，", ",")
    if text == "零":
        return CellValue(KIND_NUMBER, 0, unit)
    # A run of thousands of digits is no count (and int() refuses 4,300 of them): text.
    if len(text) > NUMBER_MAX_DIGITS * 2 or not _NUMBER_RE.match(text):
        return CellValue(KIND_TEXT, None)
    if sum(ch.isdigit() for ch in text) > NUMBER_MAX_DIGITS:
        return CellValue(KIND_TEXT, None)
    number = text.replace(",", "").lstrip("+")
    if "." in number:
        value: int | float = float(number)
    else:
        value = int(number)
    return CellValue(KIND_NUMBER, value, unit)


def is_value_like(raw: str) -> bool:
    """True for what can stand in a value cell: a number, a blank or a not-applicable mark."""
    return read_cell(raw).kind != KIND_TEXT
