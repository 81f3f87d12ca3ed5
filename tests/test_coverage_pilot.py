"""The 宿迁 complete-coverage pilot: docs/pilot-suqian.md and the registry's 宿迁 block must agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.coverage import coverage
from pipeline.registry import DEFAULT_REGISTRY, SiteEntry, load_registry

REPO = Path(__file__).resolve().parents[1]
PILOT_DOC = REPO / "docs" / "pilot-suqian.md"
SUQIAN = "3213"  # GB/T 2260 prefix of 宿迁市 and its counties


@pytest.fixture(scope="module")
def suqian() -> list[SiteEntry]:
    return [e for e in load_registry(DEFAULT_REGISTRY) if (e.region_code or "").startswith(SUQIAN)]


@pytest.fixture(scope="module")
def doc() -> str:
    return PILOT_DOC.read_text(encoding="utf-8")


def _covered_table(doc: str) -> str:
    section = doc.split("## Covered", 1)[1].split("## Not found", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_the_doc_lists_exactly_the_registry_entries(suqian: list[SiteEntry], doc: str) -> None:
    listed = re.findall(r"`(js-[a-z0-9-]+)`", _covered_table(doc))
    assert len(listed) == len(set(listed))
    assert set(listed) == {e.id for e in suqian}


def test_the_doc_states_the_registry_counts(suqian: list[SiteEntry], doc: str) -> None:
    assert f"**{len(suqian)} entries**" in doc
    assert f"## Covered ({len(suqian)} entries)" in doc
    inferred = sum(1 for e in suqian if (e.notes or "").startswith("Host inferred"))
    assert f"{inferred} entries take their host by inference" in doc


def test_the_doc_states_the_coverage_counts(suqian: list[SiteEntry], doc: str) -> None:
    [jiangsu] = [row for row in coverage(suqian) if row.code == "32"]
    counties = {c for c in jiangsu.counties if c.startswith(SUQIAN)}
    assert jiangsu.cities == {SUQIAN}
    assert f"1/1 city and {len(counties)}/5 county governments" in doc


def test_the_pilot_block_is_contiguous() -> None:
    """Other engineers add entries to the 江苏 section in parallel: the pilot keeps to one block."""
    ids = re.findall(r"^- id: (\S+)", DEFAULT_REGISTRY.read_text(encoding="utf-8"), flags=re.M)
    entries = {e.id: e for e in load_registry(DEFAULT_REGISTRY)}
    positions = [
        i for i, site_id in enumerate(ids) if (entries[site_id].region_code or "").startswith(SUQIAN)
    ]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
