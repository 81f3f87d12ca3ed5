"""Real published reports (tests/real/) against expectations written by hand from each document.

Each tests/real/<name>/ holds the document as its exact bytes, `provenance.json` (where it was
found, where it was published) and `realcorpus.expected.json`, transcribed from the document
itself (never from the parser): year, agency as printed, template, every table cell that could be
read, keyed "section.item.column" with a number, "/" (not applicable) or "" (blank), and the
template rules the published figures break ("rule scope", worked out by hand), which the parser
must report, no more and no fewer.

A document the parser gets wrong lists every failing check in `known_failures` ("year", "agency",
"template", "time", "rules", "cell section.item.column"; a check may be a glob such as
"cell requests.partially_disclosed.*"); its test is a strict xfail that passes only while exactly
those checks fail. A parser fix makes it fail with the list to update, so the corpus keeps saying
precisely what is still wrong.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pipeline.codebook import load_codebook
from pipeline.parse import parse_report
from pipeline.report import KIND_EMPTY, KIND_MISSING, KIND_NOT_APPLICABLE, KIND_NUMBER, Fact, Report

REAL = Path(__file__).parent / "real"
EXPECTED_NAME = "realcorpus.expected.json"
DOCUMENTS = sorted(p.parent.name for p in REAL.glob(f"*/{EXPECTED_NAME}"))
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
PROVENANCE_KEYS = {"document", "found_in", "published_at", "publication_date", "retrieved", "sha256"}


class KnownFailures(Exception):
    """Exactly the checks the expected file lists as known failures failed."""


@dataclass
class Outcome:
    """One document parsed and compared with its expectations."""

    expected: dict[str, Any]
    report: Report
    seconds: float
    failed: dict[str, str] = field(default_factory=dict)  # check id -> what was found
    cells_right: int = 0
    cells_missing: list[str] = field(default_factory=list)


def _published(value: object) -> str:
    return "/" if value == "/" else "blank" if value == "" else repr(value)


def _cell_matches(expected: object, fact: Fact | None) -> bool:
    if fact is None:
        return False
    if expected == "/":
        return fact.kind == KIND_NOT_APPLICABLE
    if expected == "":
        return fact.kind == KIND_EMPTY
    if fact.kind != KIND_NUMBER or fact.value is None:
        return False
    assert isinstance(expected, (int, float)), expected
    return math.isclose(float(fact.value), float(expected), rel_tol=0, abs_tol=1e-9)


def _found(fact: Fact | None) -> str:
    return "no fact" if fact is None else f"{fact.kind} {fact.value!r} (raw {fact.raw!r})"


@cache
def outcome(name: str) -> Outcome:
    folder = REAL / name
    expected = json.loads((folder / EXPECTED_NAME).read_text(encoding="utf-8"))
    data = (folder / expected["document"]).read_bytes()
    start = time.perf_counter()
    report = parse_report(data, filename=expected["document"])
    result = Outcome(expected, report, time.perf_counter() - start)
    if result.seconds > expected["time_budget_s"]:
        result.failed["time"] = f"{result.seconds:.1f} s, budget {expected['time_budget_s']} s"
    if report.year != expected["year"]:
        result.failed["year"] = repr(report.year)
    if expected["agency"] not in (report.agency, report.agency_full):
        result.failed["agency"] = f"{report.agency!r} / {report.agency_full!r}"
    if report.template != expected["template"]:
        result.failed["template"] = repr(report.template)
    broken = sorted(expected.get("rules_failing_as_published", []))
    parsed_broken = sorted({f"{c.rule} {c.scope}" for c in report.checks if not c.ok})
    if parsed_broken != broken:
        result.failed["rules"] = f"published break {broken}, parser reports {parsed_broken}"
    facts = {".".join(f.key): f for f in report.facts}
    for key, value in expected["cells"].items():
        fact = facts.get(key)
        if _cell_matches(value, fact):
            result.cells_right += 1
            continue
        if fact is None or fact.kind == KIND_MISSING:
            result.cells_missing.append(key)
        result.failed[f"cell {key}"] = f"published {_published(value)}, parsed {_found(fact)}"
    return result


@pytest.mark.parametrize("name", DOCUMENTS)
def test_real_document_is_kept_whole(name: str) -> None:
    """Exact bytes, small, with where it came from; expectations name codebook cells only."""
    folder = REAL / name
    expected = json.loads((folder / EXPECTED_NAME).read_text(encoding="utf-8"))
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    document = folder / expected["document"]
    assert document.stat().st_size <= MAX_DOCUMENT_BYTES
    assert set(provenance) >= PROVENANCE_KEYS, PROVENANCE_KEYS - set(provenance)
    assert provenance["document"] == expected["document"]

    assert hashlib.sha256(document.read_bytes()).hexdigest() == provenance["sha256"]

    codes = {".".join(key) for key in load_codebook(expected["template"]).keys}
    unknown = sorted(set(expected["cells"]) - codes)
    assert not unknown, f"cells not in codebook-{expected['template']}.csv: {unknown}"
    for entry in expected.get("known_failures", []):
        assert {"check", "class", "why"} <= set(entry), entry


def _marks(name: str) -> list[pytest.MarkDecorator]:
    expected = json.loads((REAL / name / EXPECTED_NAME).read_text(encoding="utf-8"))
    if not expected.get("known_failures"):
        return []
    classes = sorted({entry["class"] for entry in expected["known_failures"]})
    reason = f"{len(expected['known_failures'])} known failures: " + "; ".join(classes)
    return [pytest.mark.xfail(strict=True, raises=KnownFailures, reason=reason)]


@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n)) for n in DOCUMENTS])
def test_real_document(name: str) -> None:
    """Year, agency, template and every transcribed cell, within the document's time budget."""
    result = outcome(name)
    listed = [entry["check"] for entry in result.expected.get("known_failures", [])]
    if not result.failed and not listed:
        return
    now_passing = [pattern for pattern in listed if not fnmatch.filter(result.failed, pattern)]
    new_failures = {
        check: found
        for check, found in result.failed.items()
        if not any(fnmatch.fnmatchcase(check, pattern) for pattern in listed)
    }
    assert not now_passing and not new_failures, (
        f"{name}: update known_failures in {EXPECTED_NAME}: "
        f"now passing {now_passing}; failing and not listed {new_failures}"
    )
    raise KnownFailures(f"{name}: {len(listed)} known failures")


def test_real_corpus_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Cells right out of cells transcribed, and documents perfect, over the whole corpus."""
    assert DOCUMENTS, f"no {EXPECTED_NAME} under {REAL}"
    results = {name: outcome(name) for name in DOCUMENTS}
    right = sum(r.cells_right for r in results.values())
    total = sum(len(r.expected["cells"]) for r in results.values())
    perfect = [name for name, r in results.items() if not r.failed]
    with capsys.disabled():
        print(
            f"\nreal corpus: {right}/{total} cells right ({right / total:.1%}), "
            f"{len(perfect)}/{len(results)} documents perfect"
        )
        for name, r in results.items():
            meta = [check for check in ("year", "agency", "template", "rules") if check in r.failed]
            classes = sorted({entry["class"] for entry in r.expected.get("known_failures", [])})
            print(
                f"  {name}: {r.cells_right}/{len(r.expected['cells'])} cells, "
                f"{len(r.cells_missing)} missing, {r.seconds:.2f} s"
                + (f", wrong {' '.join(meta)}" if meta else "")
                + (f" [{'; '.join(classes)}]" if classes else "")
            )
