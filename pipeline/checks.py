"""Evaluating arithmetic rules (勾稽关系) on facts, and the zeros they prove for blank cells.

The rules themselves are each template era's (pipeline/templates/): this module only evaluates
them. A failed rule is reported, never repaired: the published numbers are the data. A blank cell
keeps value None; where a sum rule proves it is zero, ``imputed_value`` 0 is recorded with the
reason.
"""

from __future__ import annotations

from typing import NamedTuple

from pipeline.report import KIND_EMPTY, KIND_NOT_APPLICABLE, Check, Fact

Key = tuple[str, str, str]
_TOLERANCE = 1e-6


class SumGroup(NamedTuple):
    """One rule instance `total = sum(parts)`."""

    rule: str
    scope: str  # "column:natural_person", "row:disclosed", "item:administrative_review" …
    total: Key
    parts: list[Key]


class Relation(NamedTuple):
    """One rule instance `sum(left) = sum(right)`."""

    rule: str
    scope: str
    left: list[Key]
    right: list[Key]


def _number(fact: Fact | None) -> float | None:
    if fact is None:
        return None
    return fact.value if fact.value is not None else fact.imputed_value


def impute_zeros(facts: dict[Key, Fact], groups: list[SumGroup]) -> None:
    """Record imputed 0 for blank cells of a sum whose published parts already equal its total.

    Repeated until nothing changes, because a zero proved by one rule (a row) can complete the
    parts of another (a column). Only a rule whose total is itself blank is looked at again: a
    zero imputed elsewhere can give it a total, while it changes no sum of known cells.
    """
    pending = groups
    changed = True
    while changed:
        changed = False
        waiting = []
        for group in pending:
            rule, _scope, total_key, part_keys = group
            blanks: list[Fact] = []
            known: list[float] = []
            for key in part_keys:
                part = facts.get(key)
                if part is None:
                    break
                number = _number(part)
                if number is not None:
                    known.append(number)
                elif _blank(part):
                    blanks.append(part)
                else:
                    break  # text or missing: never a number
            else:
                if not blanks:
                    continue
                total = _number(facts.get(total_key))
                if total is None:
                    waiting.append(group)
                elif abs(sum(known) - total) < _TOLERANCE:
                    reason = f"{rule}: the published cells already sum to the total {total:g}"
                    for fact in blanks:
                        fact.imputed_value = 0
                        fact.imputed_reason = reason
                    changed = True
        pending = waiting


def _blank(fact: Fact) -> bool:
    return fact.kind in (KIND_EMPTY, KIND_NOT_APPLICABLE)


def run_checks(facts: dict[Key, Fact], relations: list[Relation]) -> tuple[list[Check], list[str]]:
    """Evaluate every rule instance; list the instances that blank cells leave undecided.

    Counts are never negative, so blank cells on one side can only add to it: when the known cells
    of that side already exceed the other side, the rule fails whatever the blanks hold.
    """
    checks: list[Check] = []
    skipped: list[str] = []
    # Each cell is in several rules: its number and how it is shown are worked out once.
    numbers = {key: _number(fact) for key, fact in facts.items()}
    shown = {key: _fmt(number) for key, number in numbers.items()}
    for rule, scope, left, right in relations:
        lvals = [numbers.get(k) for k in left]
        rvals = [numbers.get(k) for k in right]
        lsum = sum(v for v in lvals if v is not None)
        rsum = sum(v for v in rvals if v is not None)
        lblank, rblank = None in lvals, None in rvals
        if not lblank and not rblank:
            ok = abs(lsum - rsum) < _TOLERANCE
            relation = "=" if ok else "≠"
            published = " + ".join([shown[k] for k in left]), " + ".join([shown[k] for k in right])
            detail = f"{scope}: {published[0]} {relation} {published[1]}"
            checks.append(Check(rule, ok, detail, scope, lsum, rsum))
        elif (rblank and not lblank and rsum > lsum + _TOLERANCE) or (
            lblank and not rblank and lsum > rsum + _TOLERANCE
        ):
            detail = f"{scope}: published {_fmt(lsum)} vs {_fmt(rsum)}; blank cells cannot close the gap"
            checks.append(Check(rule, False, detail, scope, lsum, rsum))
        else:
            skipped.append(f"{rule} {scope}")
    return checks, skipped


def run_complete_sums(facts: dict[Key, Fact], groups: list[SumGroup]) -> list[Check]:
    """Sums evaluated only where every cell holds a published number (no blank is decided)."""
    checks = []
    for rule, scope, total_key, part_keys in groups:
        values = [facts.get(k) for k in (total_key, *part_keys)]
        numbers = [f.value for f in values if f is not None and f.value is not None]
        if len(numbers) < len(values):
            continue
        expected, actual = numbers[0], sum(numbers[1:])
        ok = abs(expected - actual) < _TOLERANCE
        detail = f"{scope}: {expected:g} {'=' if ok else '≠'} sum of parts {actual:g}"
        checks.append(Check(rule, ok, detail, scope, expected, actual))
    return checks


def _fmt(value: float | None) -> str:
    return "blank" if value is None else f"{value:g}"
