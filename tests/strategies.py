"""Hypothesis strategies for annual reports with known ground truth.

@given(ground_truths())                 # 2021 template, any publication quirks, any break
@given(ground_truths("2019", broken=False))
@given(ground_truths(None))             # either template
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from pipeline.render import RULES, GroundTruth, random_ground_truth


@st.composite
def ground_truths(
    draw: st.DrawFn, template: str | None = "2021", *, broken: bool | None = None
) -> GroundTruth:
    """A report drawn through `random_ground_truth` from a seed and the option flags.

    `broken`: None draws whether one rule is broken (see `GroundTruth.broken_rule`), False never
    breaks one, True always does.
    """
    chosen = template or draw(st.sampled_from(("2021", "2019")))
    if broken is None:
        rule = draw(st.one_of(st.none(), st.sampled_from(RULES)))
    else:
        rule = draw(st.sampled_from(RULES)) if broken else None
    return random_ground_truth(
        random.Random(draw(st.integers(0, 2**32 - 1))),
        template=chosen,
        blank_legal_person=draw(st.booleans()),
        not_applicable_rules=draw(st.booleans()),
        full_width_digits=draw(st.booleans()),
        thousands_separators=draw(st.booleans()),
        break_rule=rule,
    )


def render_seeds() -> st.SearchStrategy[random.Random]:
    """An rng for the renderers (they draw layout quirks from it)."""
    return st.integers(0, 2**32 - 1).map(random.Random)
