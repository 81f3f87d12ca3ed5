"""parse_report fuzzed: real fixtures (a published report's text, saved site pages) and generated
reports in every container format, mutated by hypothesis, each parsed in a worker under a time
and a memory budget. Whatever the bytes, the answer is a Report; a failure is one line.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from hostile_corpus import budgeted_pool, parse_named  # noqa: F401 (a fixture)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.render import random_ground_truth, render_docx, render_html, render_xlsx
from pipeline.report import STATUS_FAILED, Report
from pipeline.workers import IsolatedPool

FIXTURES = Path(__file__).parent / "fixtures"
FUZZ_EXAMPLES = 40
# Fragments that have broken parsers before: deep nesting, spans, NULs, digits, zip and OLE magic.
_TOKENS = (
    b"<font>" * 300,
    b'<td colspan="999999999" rowspan="65535">',
    b"\x00",
    b"9" * 5000,
    b"</table></tr><table>",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"%PDF-1.7",
    "（一）".encode() * 50,
)


@cache
def seeds() -> tuple[tuple[str, bytes], ...]:
    """Real bytes where we have them, generated reports for the container formats."""
    real = sorted(
        p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in {".txt", ".html", ".htm", ".xml"}
    )
    gt = random_ground_truth(random.Random(5))
    made = [
        ("report.html", render_html(gt)),
        ("report.docx", render_docx(gt)),
        ("report.xlsx", render_xlsx(gt)),
    ]
    return (*((p.name, p.read_bytes()) for p in real[:12]), *made)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(seeds()))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        op = draw(st.sampled_from(("flip", "cut", "repeat", "insert", "truncate")))
        length = draw(st.integers(1, 512))
        if op == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del out[at : at + length]
        elif op == "repeat":
            out[at:at] = out[at : at + length] * draw(st.integers(2, 50))
        elif op == "insert":
            out[at:at] = draw(st.sampled_from(_TOKENS))
        else:
            del out[at:]
    return name, bytes(out)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # time is the worker's budget, not hypothesis's
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(case=mutated())
def test_any_mutation_of_a_report_parses_within_budget_and_never_raises(
    case: tuple[str, bytes],
    budgeted_pool: IsolatedPool,  # noqa: F811
) -> None:
    name, data = case
    report = budgeted_pool.call(parse_named, data, name)  # WorkerFailed: over budget, or parse_report raised
    assert isinstance(report, Report)
    if report.status == STATUS_FAILED:
        assert report.error and "\n" not in report.error
