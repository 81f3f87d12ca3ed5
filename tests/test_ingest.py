"""`nianbao ingest`: local report files into the archive with file:// provenance, then the same
outputs a crawl leaves (datasets, text archive, JSON lines); the same bytes twice change nothing;
a bad path is a one-line error, exit 2, with nothing archived."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from pipeline.archive import FetchRecord, RawArchive
from pipeline.cli import main as cli_main
from pipeline.ingest import ingest
from pipeline.render import random_ground_truth, render_docx, render_html, render_text

AGENCY = "佳木斯市桦南县人民政府"


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A folder of three reports of one agency (three years) in three formats, one in a sub-folder,
    and a hidden file that is not ingested."""
    folder = tmp_path / "downloads"
    (folder / "older").mkdir(parents=True)
    rng = random.Random(5)
    years = {}
    for name, year, render in (
        ("2023年报.docx", 2023, render_docx),
        ("2022年报.html", 2022, render_html),
        ("older/2021年报.txt", 2021, render_text),
    ):
        gt = random_ground_truth(rng, year=year, agency="桦南县人民政府", agency_full=AGENCY)
        (folder / name).write_bytes(render(gt))
        years[Path(name).name] = year
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return folder, years


def snapshot(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*")
        if p.is_file()
    }


def test_ingest_adds_reports_as_a_crawl_would(
    reports: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, years = reports
    out = tmp_path / "out"
    assert cli_main(["ingest", str(folder), "--out", str(out), "--agency", AGENCY]) == 0
    assert "ingested 3 files" in capsys.readouterr().out
    documents = pd.read_parquet(out / "parquet" / "documents").set_index("filename")
    assert set(documents.index) == set(years)
    for name, year in years.items():
        row = documents.loc[name]
        assert row["url"].startswith("file:///") and unquote(row["url"]).endswith(f"/{name}")
        assert row["registry_agency"] == AGENCY and row["year"] == year and row["status"] == "ok"
        assert (out / row["raw_path"]).suffix == Path(name).suffix
    reports_table = pd.read_parquet(out / "parquet" / "reports")
    assert sorted(reports_table["year"]) == [2021, 2022, 2023]
    assert reports_table["agency_id"].nunique() == 1
    assert all((out / p).exists() for p in reports_table["text_path"])
    assert (out / "parsed" / "reports.jsonl").read_text(encoding="utf-8").count("\n") == 3


def test_ingesting_the_same_bytes_again_changes_nothing(
    reports: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = reports
    out = tmp_path / "out"
    assert cli_main(["ingest", str(folder), "--out", str(out)]) == 0
    before = snapshot(out)
    copy = tmp_path / "copy.docx"  # the same bytes under another name change nothing either
    copy.write_bytes((folder / "2023年报.docx").read_bytes())
    assert cli_main(["ingest", str(folder), str(copy), "--out", str(out)]) == 0
    assert "ingested 0 files" in capsys.readouterr().out
    assert snapshot(out) == before


def test_only_bytes_already_stored_are_looked_up_in_the_fetch_index(
    reports: tuple[Path, dict[str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding files to a national archive does not read its index once per call (3,000 agencies'
    folders ingested one by one would read it 3,000 times); known bytes read it once per call."""
    folder, _ = reports
    out = tmp_path / "out"
    reads: list[RawArchive] = []
    records = RawArchive.records

    def counted(archive: RawArchive) -> Iterator[FetchRecord]:
        reads.append(archive)
        return records(archive)

    monkeypatch.setattr(RawArchive, "records", counted)
    assert len(ingest([folder], out).added) == 3
    assert reads == []
    assert ingest([folder], out).added == []
    assert len(reads) == 1
    assert len(list(records(RawArchive(out)))) == 3


def test_url_gives_the_provenance_of_one_file(reports: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = reports
    out = tmp_path / "out"
    url = "http://www.hnx.gov.cn/zwgk/2023.docx"
    assert (
        cli_main(["ingest", str(folder / "2023年报.docx"), "--out", str(out), "--url", url]) == 0
    )
    assert [r.url for r in RawArchive(out).records()] == [url]


@pytest.mark.parametrize(
    "argv",
    [
        ["missing.pdf"],
        ["{folder}", "missing-folder/"],
        ["{folder}", "--url", "http://www.hnx.gov.cn/a.pdf"],  # one URL for three files
    ],
)
def test_bad_paths_are_one_line_errors_and_archive_nothing(
    argv: list[str],
    reports: tuple[Path, dict[str, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, _ = reports
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert cli_main(["ingest", *(a.format(folder=folder) for a in argv), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao ingest: ") and err.count("\n") == 1
    assert not out.exists()
