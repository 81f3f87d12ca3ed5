"""The parser's shortcuts for speed give what Python's own text functions give: its NFKC
(pipeline.numbers.nfkc, NFC of NFKD) is unicodedata's, and the HTML reader's line-break class is
where str.splitlines splits."""

from __future__ import annotations

import random
import unicodedata

from pipeline.numbers import nfkc
from pipeline.readers.html import _LINE_BREAK


def test_nfkc_is_unicode_nfkc_for_every_code_point_and_mixed_runs() -> None:
    # The BMP, plane 1 (mathematical letters, enclosed forms) and the CJK compatibility supplement.
    planes = [range(0xD800), range(0xE000, 0x20000), range(0x2F800, 0x2FA20)]
    points = [chr(cp) for plane in planes for cp in plane]
    # Runs of neighbouring code points: Hangul jamo, combining marks after their bases, full-width forms.
    runs = ["".join(points[i : i + 7]) for i in range(0, len(points), 7)]
    rng = random.Random(8)
    marks = [chr(cp) for cp in range(0x300, 0x370)] + ["\u0f73", "\u0f75", "\u3099", "\u309a"]
    mixed = ["".join(rng.choice(points[:0x3100] + marks) for _ in range(6)) for _ in range(5_000)]
    wrong = [s for s in points + runs + mixed if nfkc(s) != unicodedata.normalize("NFKC", s)]
    assert wrong == []


def test_the_html_readers_line_breaks_are_where_splitlines_splits() -> None:
    points = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp < 0xE000]
    splitting = {ch for ch in points if len(f"a{ch}b".splitlines()) == 2}
    assert splitting == {ch for ch in points if _LINE_BREAK.search(ch)}
