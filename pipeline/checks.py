"""The template's arithmetic rules (勾稽关系), and the zeros they prove for blank cells.

A failed rule is reported, never repaired: the published numbers are the data. A blank cell keeps
value None; where a sum rule proves it is zero, ``imputed_value`` 0 is recorded with the reason.
"""

from __future__ import annotations

from pipeline.codebook import (
    APPLICANT_COLUMNS,
    REQUEST_COLUMNS,
    REVIEW_ITEMS,
    REVIEW_PARTS,
    load_codebook,
)
from pipeline.report import KIND_EMPTY, KIND_NOT_APPLICABLE, Check, Fact

Key = tuple[str, str, str]
RULES = ("requests_balance", "requests_results_total", "requests_applicant_total", "review_litigation_total")
_TOLERANCE = 1e-6


def result_rows(template: str) -> list[str]:
    """The result rows of table 三 that add up to （七）总计: （一） through （六）."""
    items = load_codebook(template).items("requests")
    return items[items.index("disclosed") : items.index("results_total")]


def sum_groups(template: str) -> list[tuple[str, str, Key, list[Key]]]:
    """Every sum relation of the template: (rule, scope, total cell, part cells)."""
    groups: list[tuple[str, str, Key, list[Key]]] = []
    rows = result_rows(template)
    for column in REQUEST_COLUMNS:
        groups.append(
            (
                "requests_results_total",
                f"column:{column}",
                ("requests", "results_total", column),
                [("requests", row, column) for row in rows],
            )
        )
    for item in load_codebook(template).items("requests"):
        groups.append(
            (
                "requests_applicant_total",
                f"row:{item}",
                ("requests", item, "total"),
                [("requests", item, column) for column in APPLICANT_COLUMNS],
            )
        )
    for item in REVIEW_ITEMS:
        groups.append(
            (
                "review_litigation_total",
                f"item:{item}",
                ("review_litigation", item, "total"),
                [("review_litigation", item, part) for part in REVIEW_PARTS],
            )
        )
    return groups


def _number(fact: Fact | None) -> float | None:
    if fact is None:
        return None
    return fact.value if fact.value is not None else fact.imputed_value


def impute_zeros(facts: dict[Key, Fact], template: str) -> None:
    """Record imputed 0 for blank cells of a sum whose published parts already equal its total.

    Repeated until nothing changes, because a zero proved by one rule (a row) can complete the
    parts of another (a column).
    """
    changed = True
    while changed:
        changed = False
        for rule, _scope, total_key, part_keys in sum_groups(template):
            total = _number(facts.get(total_key))
            parts = [facts.get(k) for k in part_keys]
            if total is None or any(p is None for p in parts):
                continue
            blanks = [p for p in parts if p is not None and _number(p) is None and _blank(p)]
            known = [_number(p) for p in parts if p is not None and _number(p) is not None]
            if blanks and len(blanks) + len(known) == len(parts) and abs(sum(known) - total) < _TOLERANCE:
                for fact in blanks:
                    fact.imputed_value = 0
                    fact.imputed_reason = f"{rule}: the published cells already sum to the total {total:g}"
                changed = True


def _blank(fact: Fact) -> bool:
    return fact.kind in (KIND_EMPTY, KIND_NOT_APPLICABLE)


def _relations(template: str) -> list[tuple[str, str, list[Key], list[Key]]]:
    """Every rule instance as (rule, scope, left cells, right cells) with sum(left) = sum(right)."""
    balance = [
        (
            "requests_balance",
            f"column:{column}",
            [("requests", "new_requests", column), ("requests", "carried_over", column)],
            [("requests", "results_total", column), ("requests", "carried_forward", column)],
        )
        for column in REQUEST_COLUMNS
    ]
    sums = [(rule, scope, [total], parts) for rule, scope, total, parts in sum_groups(template)]
    return balance + sums


def run_checks(facts: dict[Key, Fact], template: str) -> tuple[list[Check], list[str]]:
    """Evaluate every rule instance; list the instances that blank cells leave undecided.

    Counts are never negative, so blank cells on one side can only add to it: when the known cells
    of that side already exceed the other side, the rule fails whatever the blanks hold.
    """
    checks: list[Check] = []
    skipped: list[str] = []
    for rule, scope, left, right in _relations(template):
        lvals = [_number(facts.get(k)) for k in left]
        rvals = [_number(facts.get(k)) for k in right]
        lsum = sum(v for v in lvals if v is not None)
        rsum = sum(v for v in rvals if v is not None)
        lblank, rblank = None in lvals, None in rvals
        if not lblank and not rblank:
            ok = abs(lsum - rsum) < _TOLERANCE
            relation = "=" if ok else "≠"
            detail = f"{scope}: {' + '.join(map(_fmt, lvals))} {relation} {' + '.join(map(_fmt, rvals))}"
            checks.append(Check(rule, ok, detail, scope, lsum, rsum))
        elif (rblank and not lblank and rsum > lsum + _TOLERANCE) or (
            lblank and not rblank and lsum > rsum + _TOLERANCE
        ):
            detail = f"{scope}: published {_fmt(lsum)} vs {_fmt(rsum)}; blank cells cannot close the gap"
            checks.append(Check(rule, False, detail, scope, lsum, rsum))
        else:
            skipped.append(f"{rule} {scope}")
    return checks, skipped


def _fmt(value: float) -> str:
    return f"{value:g}"
