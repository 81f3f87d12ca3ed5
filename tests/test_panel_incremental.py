"""An update of the built panel gives exactly what a build from scratch gives, while checking
again only the reports whose inputs (or whose previous report) changed.

Each step changes a generated archive the way nights do (reports added, a gap filled, a report
replaced at its URL, another superseded by a corrected re-publication, records removed), builds
the copy that was built before, and builds a fresh copy of the same archive with no earlier
output: every Parquet file and every text file must have the same bytes. Which reports are
checked again is worked out by hand from the step, not from the code under test.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.datasets import build_datasets, panel_checks
from pipeline.datasets.datapackage import DATAPACKAGE_FILE
from pipeline.datasets.layout import read_table
from pipeline.datasets.state import STATE_FILE
from pipeline.datasets.synthetic import Site, SyntheticArchive
from pipeline.render import GroundTruth, render_html

A = Site("xyfgj", "佳木斯市向阳区发展和改革局", "230803", "department")
B = Site("qjczj", "佳木斯市前进区财政局", "230804", "department")
C = Site("dfq", "佳木斯市东风区人民政府", "230805", "county")
D = Site("hnx", "桦南县人民政府", "230822", "county")
E = Site("hcx", "桦川县人民政府", "230826", "county")
F = Site("tyx", "汤原县人民政府", "230828", "county")
SITES = {"A": A, "B": B, "C": C, "D": D, "E": E, "F": F}
INITIAL = {A: (2020, 2021, 2022), B: (2020, 2022), C: (2021, 2022, 2023), D: (2020, 2021, 2022), E: (2021,)}
# The build's own notes: the build stamp (a time) and the state of what partitions were made from.
NOTES = {f"parquet/{DATAPACKAGE_FILE}", f"parquet/{STATE_FILE}"}


def outputs(out: Path) -> dict[str, str]:
    """sha256 of every Parquet and text file the build wrote, by path relative to `out`."""
    files = [p for sub in ("parquet", "text") for p in (out / sub).rglob("*") if p.is_file()]
    return {
        path: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if (path := p.relative_to(out).as_posix()) not in NOTES
    }


def from_scratch(out: Path, scratch: Path) -> dict[str, str]:
    """The outputs of a build of `out`'s archive alone (parsed again, no earlier tables or texts)."""
    shutil.copytree(out / "archive", scratch / "archive")
    build_datasets(scratch, workers=1)
    return outputs(scratch)


def named(out: Path, report_ids: list[str]) -> set[str]:
    """Report ids as this file names them: the site's letter and the year (A-2023)."""
    letters = {site.host: letter for letter, site in SITES.items()}
    reports = read_table(out / "parquet", "reports").to_pylist()
    letter = {r["report_id"]: letters[r["url"].split("/")[2]] for r in reports}
    return {f"{letter[r]}-{r.rsplit('-', 1)[1]}" for r in report_ids}


def copied(gt: GroundTruth, year: int) -> bytes:
    """A report that is `gt` with only its years changed: the repetition check's copy."""
    text = render_html(gt).decode("utf-8")
    return text.replace(str(gt.year), str(year)).replace(str(gt.year - 1), str(year - 1)).encode("utf-8")


class Nights:
    """The archive's changes, step by step, on one generated archive."""

    def __init__(self, out: Path) -> None:
        self.arc = SyntheticArchive(out, start=datetime(2024, 3, 1, tzinfo=UTC))
        self.rng = random.Random(20260101)
        self.truths: dict[tuple[Site, int], GroundTruth] = {}

    def publish(self, site: Site, year: int, **truth: str) -> None:
        self.truths[(site, year)] = gt = self.arc.report(site, year, self.rng, **truth)
        self.arc.publish(site, gt)

    def initial(self) -> None:
        for site, years in INITIAL.items():
            for year in years:
                self.publish(site, year)

    def added(self) -> None:
        self.publish(A, 2023)  # the next year of an agency
        self.publish(B, 2021)  # the gap between 2020 and 2022 filled
        self.publish(F, 2022, template="2019")  # a new agency, its first report in the 2019 template
        self.publish(F, 2023)
        gt = self.truths[(E, 2021)]
        title = gt.title.replace("2021", "2022")
        page = f"http://{E.host}/zwgk/nb/2022.html"
        self.arc.add(E, copied(gt, 2022), url=page, title=title, published="2023-02-09")

    def replaced(self) -> None:
        # C's 2022 page served with new bytes at its URL; D's 2021 corrected at a new URL, later.
        fresh = dataclasses.replace(self.arc.report(C, 2022, self.rng), published_date="2023-05-30")
        self.arc.publish(C, fresh)
        corrected = dataclasses.replace(self.arc.report(D, 2021, self.rng), published_date="2022-06-30")
        self.arc.publish(D, corrected, name="2021-corrected")

    def removed(self) -> None:
        # Records pruned from the fetch index: A's 2021 (a middle year) and E's 2021 (a first).
        index = self.arc.archive.index
        gone = (f"http://{A.host}/zwgk/nb/2021.html", f"http://{E.host}/zwgk/nb/2021.html")
        lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
        index.write_text("".join(x for x in lines if json.loads(x)["url"] not in gone), encoding="utf-8")


# Reports checked again at each step, by hand: each changed report, and the report after it.
RECHECKED = {
    "added": {"A-2023", "B-2021", "B-2022", "F-2022", "F-2023", "E-2022"},
    "replaced": {"C-2022", "C-2023", "D-2021", "D-2022"},
    "removed": {"A-2022", "E-2022"},
}


def test_each_update_equals_a_build_from_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    nights = Nights(out)
    nights.initial()
    build_datasets(out, workers=1)
    checked: list[str] = []
    timeliness = panel_checks.timeliness  # called once for each report whose checks are made

    def recording(report: panel_checks.ReportInfo) -> dict[str, object]:
        checked.append(report.report_id)
        return timeliness(report)

    for step in RECHECKED:
        before = read_table(out / "parquet", "panel_checks")
        getattr(nights, step)()
        checked.clear()
        with monkeypatch.context() as patch:
            patch.setattr(panel_checks, "timeliness", recording)
            build_datasets(out, workers=1)
        assert named(out, checked) == RECHECKED[step], step
        assert not read_table(out / "parquet", "panel_checks").equals(before), step
        assert outputs(out) == from_scratch(out, tmp_path / f"scratch-{step}"), step
