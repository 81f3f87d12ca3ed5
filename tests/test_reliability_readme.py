"""The README's Reliability numbers are the suite's: counted from the lists the tests run."""

from __future__ import annotations

import re
from pathlib import Path

from hostile_corpus import HOSTILE_INPUTS
from test_hostile_crawl import SERVER_FAULTS
from test_hostile_fuzz import FUZZ_EXAMPLES
from test_hostile_kills import KILL_STAGES

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_counts_what_the_suite_tries() -> None:
    section = README.read_text(encoding="utf-8").split("## Reliability", 1)[1]
    claimed = {name: int(n) for n, name in re.findall(r"\*\*(\d+) ([a-z ]+?)\*\*", section)}
    assert claimed == {
        "hostile documents": len(HOSTILE_INPUTS),
        "mutated documents": FUZZ_EXAMPLES,
        "server faults": len(SERVER_FAULTS),
        "kill points": len(KILL_STAGES),
    }
