"""The real 2024 report of 前进区人民政府 (text extracted from its DOCX) must parse exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.codebook import load_codebook
from pipeline.parse import parse_report
from pipeline.report import Report

SEED = Path(__file__).parent / "fixtures" / "seed" / "000_27ef94279877d414.txt"

# Written by hand from the published tables; every cell not listed here is published as "0".
NONZERO = {
    ("active_disclosure", "administrative_licensing", "decisions"): 588,
    ("active_disclosure", "administrative_penalty", "decisions"): 75,
    ("active_disclosure", "administrative_fees", "amount"): 188.9,
    ("requests", "new_requests", "natural_person"): 1,
    ("requests", "new_requests", "total"): 1,
    ("requests", "carried_over", "natural_person"): 2,
    ("requests", "carried_over", "total"): 2,
    ("requests", "disclosed", "natural_person"): 1,
    ("requests", "disclosed", "total"): 1,
    ("requests", "partially_disclosed", "natural_person"): 2,
    ("requests", "partially_disclosed", "total"): 2,
    ("requests", "results_total", "natural_person"): 3,
    ("requests", "results_total", "total"): 3,
    ("review_litigation", "litigation_direct", "upheld"): 1,
    ("review_litigation", "litigation_direct", "total"): 1,
}


@pytest.fixture(scope="module")
def seed_report() -> Report:
    return parse_report(SEED.read_bytes(), filename=str(SEED))


def test_seed_metadata(seed_report: Report) -> None:
    assert seed_report.status == "ok"
    assert seed_report.template == "2021"
    assert seed_report.year == 2024
    assert seed_report.agency == "前进区人民政府"
    assert seed_report.agency_full == "佳木斯市前进区人民政府"
    assert seed_report.title == "2024年前进区人民政府政府信息公开工作年度报告"
    assert seed_report.error is None


def test_seed_every_cell_exactly(seed_report: Report) -> None:
    facts = {f.key: f for f in seed_report.facts}
    assert list(facts) == list(load_codebook("2021").keys)
    for key, fact in facts.items():
        expected = NONZERO.get(key, 0)
        assert fact.kind == "number", key
        assert fact.value == expected, key
        assert fact.imputed_value is None, key
    assert facts[("active_disclosure", "administrative_fees", "amount")].raw == "188.9"
    assert facts[("requests", "partially_disclosed", "total")].raw.strip() == "2"


def test_seed_all_rules_pass(seed_report: Report) -> None:
    rules = {c.rule for c in seed_report.checks}
    assert rules == {
        "requests_balance",
        "requests_results_total",
        "requests_applicant_total",
        "review_litigation_total",
    }
    assert all(c.ok for c in seed_report.checks), [c.detail for c in seed_report.checks if not c.ok]
    # 7 columns x 2 column rules, 25 rows, 3 review items.
    assert len(seed_report.checks) == 7 + 7 + 25 + 3


def test_seed_json_contract(seed_report: Report) -> None:
    out = seed_report.to_json()
    assert list(out) == [
        "source",
        "status",
        "template",
        "year",
        "agency",
        "agency_full",
        "title",
        "facts",
        "checks",
        "warnings",
        "error",
    ]
    assert len(out["facts"]) == 200
    assert set(out["facts"][0]) == {"section", "item", "column", "value", "kind", "raw"}
    assert set(out["checks"][0]) == {"rule", "ok", "detail"}
