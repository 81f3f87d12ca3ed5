"""The complete-coverage pilots: each pilot note (docs/pilot-*.md) and its registry block must agree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.coverage import ProvinceCoverage, coverage
from pipeline.registry import DEFAULT_REGISTRY, SiteEntry, load_registry

DOCS = Path(__file__).resolve().parents[1] / "docs"


@dataclass(frozen=True)
class Pilot:
    doc: Path
    region_prefix: str  # GB/T 2260 prefix that selects the pilot's registry block
    id_prefix: str  # the prefix of every id the note's covered table lists


SUQIAN = Pilot(DOCS / "pilot-suqian.md", "3213", "js-")  # 宿迁市 and its counties
PINGTAN = Pilot(DOCS / "pilot-pingtan.md", "350128", "fj-pingtan")  # 平潭综合实验区 (平潭县)
PILOTS = [pytest.param(SUQIAN, id="suqian"), pytest.param(PINGTAN, id="pingtan")]


def _in_pilot(entry: SiteEntry, pilot: Pilot) -> bool:
    return (entry.region_code or "").startswith(pilot.region_prefix)


def _block(pilot: Pilot) -> list[SiteEntry]:
    return [e for e in load_registry(DEFAULT_REGISTRY) if _in_pilot(e, pilot)]


def _doc(pilot: Pilot) -> str:
    return pilot.doc.read_text(encoding="utf-8")


def _covered_table(doc: str) -> str:
    section = doc.split("## Covered", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def _province_row(entries: list[SiteEntry], pilot: Pilot) -> ProvinceCoverage:
    [row] = [row for row in coverage(entries) if row.code == pilot.region_prefix[:2]]
    return row


@pytest.mark.parametrize("pilot", PILOTS)
def test_the_doc_lists_exactly_the_registry_entries(pilot: Pilot) -> None:
    listed = re.findall(rf"`({re.escape(pilot.id_prefix)}[a-z0-9-]*)`", _covered_table(_doc(pilot)))
    assert len(listed) == len(set(listed))
    assert set(listed) == {e.id for e in _block(pilot)}


@pytest.mark.parametrize("pilot", PILOTS)
def test_the_doc_states_the_registry_counts(pilot: Pilot) -> None:
    block, doc = _block(pilot), _doc(pilot)
    assert f"**{len(block)} entries**" in doc
    assert f"## Covered ({len(block)} entries)" in doc
    inferred = sum(1 for e in block if (e.notes or "").startswith("Host inferred"))
    if inferred:
        assert f"{inferred} entries take their host by inference" in doc
    else:
        assert "No entry takes its host by inference" in doc


@pytest.mark.parametrize("pilot", PILOTS)
def test_the_pilot_block_is_contiguous(pilot: Pilot) -> None:
    """Other engineers add entries to the same province sections in parallel: a pilot keeps to one block."""
    ids = re.findall(r"^- id: (\S+)", DEFAULT_REGISTRY.read_text(encoding="utf-8"), flags=re.M)
    entries = {e.id: e for e in load_registry(DEFAULT_REGISTRY)}
    positions = [i for i, site_id in enumerate(ids) if _in_pilot(entries[site_id], pilot)]
    assert positions == list(range(positions[0], positions[0] + len(positions)))


def test_the_suqian_doc_states_the_coverage_counts() -> None:
    jiangsu = _province_row(_block(SUQIAN), SUQIAN)
    counties = {c for c in jiangsu.counties if c.startswith(SUQIAN.region_prefix)}
    assert jiangsu.cities == {SUQIAN.region_prefix}
    assert f"1/1 city and {len(counties)}/5 county governments" in _doc(SUQIAN)


def test_the_pingtan_doc_states_the_coverage_counts() -> None:
    """A 管委会 carries no level, so the zone's block counts departments and townships, never the county."""
    fujian = _province_row(_block(PINGTAN), PINGTAN)
    assert not fujian.cities and not fujian.counties
    stated = f"counts the block as {fujian.departments} departments and {fujian.townships} townships"
    assert stated in _doc(PINGTAN)
