"""Round trip: a known report rendered into every format and quirk, parsed back, every cell compared."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import ground_truths, render_seeds

from pipeline.codebook import load_codebook
from pipeline.parse import parse_report
from pipeline.render import (
    ENCODINGS,
    NOT_REPORT_KINDS,
    STYLES,
    GroundTruth,
    random_ground_truth,
    render_docx,
    render_html,
    render_not_report,
    render_text,
    render_xlsx,
)
from pipeline.report import Report

Renderer = Callable[[GroundTruth, random.Random], bytes]
RENDERERS: dict[str, Renderer] = {
    "text": lambda gt, rng: render_text(gt, rng=rng),
    "docx": lambda gt, rng: render_docx(gt, rng=rng),
    "xlsx": lambda gt, rng: render_xlsx(gt, rng=rng),
    **{
        f"html-{style}": (lambda s: lambda gt, rng: render_html(gt, style=s, rng=rng))(style)
        for style in STYLES
    },
    **{
        f"html-portal-{enc}": (
            lambda e: lambda gt, rng: render_html(gt, style="portal", encoding=e, rng=rng)
        )(enc)
        for enc in ENCODINGS
    },
}


def truth(seed: int) -> GroundTruth:
    """Seeds cycle through both templates and every publication quirk of the generator."""
    return random_ground_truth(
        random.Random(seed),
        template="2019" if seed % 4 == 0 else "2021",
        blank_legal_person=seed % 3 == 0,
        not_applicable_rules=seed % 5 == 0,
        full_width_digits=seed % 7 == 0,
        thousands_separators=seed % 2 == 0,
    )


def assert_matches_truth(report: Report, gt: GroundTruth) -> None:
    assert report.error is None
    assert report.template == gt.template
    assert report.status == "ok", report.warnings
    facts = {f.key: f for f in report.facts}
    assert list(facts) == list(load_codebook(gt.template).keys)
    for key, fact in facts.items():
        assert fact.kind == gt.expected_kind(key), (key, gt.published[key], fact.raw)
        expected = gt.expected_value(key)
        if isinstance(expected, float):
            assert fact.value == pytest.approx(expected), key
        else:
            assert fact.value == expected, (key, gt.published[key], fact.raw)
        if fact.value is None and gt.values[key] == 0 and fact.kind == "empty" and not gt.broken_rule:
            # Blank 法人 cells whose row total equals the published cells are proved zero.
            assert fact.imputed_value == 0, key
    assert report.year == gt.year
    assert report.title == gt.title
    assert report.agency == gt.agency
    if gt.agency_full in report.text:
        assert report.agency_full == gt.agency_full
    failed = set(report.checks_failed)
    assert failed == ({gt.broken_rule} if gt.broken_rule else set())


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("seed", range(8))
def test_every_format_every_cell(fmt: str, seed: int) -> None:
    gt = truth(seed)
    data = RENDERERS[fmt](gt, random.Random(seed))
    assert_matches_truth(parse_report(data, filename=f"{fmt}-{seed}"), gt)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gt=ground_truths(None), rng=render_seeds())
def test_property_text_and_html(gt: GroundTruth, rng: random.Random) -> None:
    """Any rule-consistent or deliberately broken report survives text, Word-HTML and portal pages."""
    seed = rng.randrange(2**32)
    for fmt in ("text", "html-word", "html-portal-gb2312-undeclared", "html-split"):
        data = RENDERERS[fmt](gt, random.Random(seed))
        assert_matches_truth(parse_report(data, filename=fmt), gt)


@pytest.mark.parametrize(
    "rule",
    ["requests_balance", "requests_results_total", "requests_applicant_total", "review_litigation_total"],
)
def test_broken_rule_is_reported_not_repaired(rule: str) -> None:
    gt = random_ground_truth(random.Random(7), break_rule=rule)
    report = parse_report(render_html(gt, rng=random.Random(7)))
    assert report.checks_failed == [rule]
    for key in gt.broken:
        assert report.fact(*key).value == gt.expected_value(key)  # the published number stays


@pytest.mark.parametrize("kind", NOT_REPORT_KINDS)
def test_not_a_report(kind: str) -> None:
    title, data = render_not_report(kind, random.Random(3))
    report = parse_report(data, filename=f"{kind}.html")
    assert report.status == "not_report", title
    assert report.facts == []
    assert report.title
