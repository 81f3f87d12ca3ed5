"""build_datasets over synthetic archives: every cell typed in `facts`, readable by pandas, DuckDB
and pyarrow; idempotent; one agency updated alone; duplicates, corrections and failures kept."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pipeline.archive import ParseCache
from pipeline.cli import main as cli_main
from pipeline.codebook import load_codebook
from pipeline.datasets import build_datasets, format_build_summary
from pipeline.datasets.codebook_doc import CODEBOOK_PATH, render_codebook
from pipeline.datasets.datapackage import DATAPACKAGE_FILE
from pipeline.datasets.layout import PART_FILE, data_files, read_table
from pipeline.datasets.schema import TABLES, UNKNOWN_YEAR
from pipeline.datasets.state import STATE_FILE
from pipeline.datasets.synthetic import Site, SyntheticArchive
from pipeline.parse import PARSER_VERSION
from pipeline.render import GroundTruth, render_not_report
from pipeline.report import Report

FINANCE = Site("qjqczj", "佳木斯市前进区财政局", "230804", "department")
GOVERNMENT = Site("dfq", "佳木斯市东风区人民政府", "230805", "county")
TOWNSHIP = Site("hnx", "桦南县人民政府", "230822", "county")


@dataclasses.dataclass
class Built:
    out: Path
    truths: dict[str, GroundTruth]  # the report each primary URL carries
    superseded_url: str
    corrected_url: str


def make_archive(out: Path) -> Built:
    """Three agencies: a page with its DOCX, a 2019-template report, a corrected re-publication,
    and documents that are not reports, fail to read, or were answered with 404."""
    rng = random.Random(20250201)
    arc = SyntheticArchive(out)
    truths: dict[str, GroundTruth] = {}

    def publish(site: Site, gt: GroundTruth, **kw: str) -> str:
        url = arc.publish(site, gt, **kw).url
        truths[url] = gt
        return url

    for year in (2022, 2023):
        publish(FINANCE, arc.report(FINANCE, year, rng))
    arc.publish(FINANCE, truths[f"http://{FINANCE.host}/zwgk/nb/2022.html"], fmt="docx")
    publish(TOWNSHIP, arc.report(TOWNSHIP, 2020, rng, template="2019"))
    first = arc.report(GOVERNMENT, 2023, rng)
    superseded = publish(GOVERNMENT, first, name="2023-v1")
    corrected_truth = dataclasses.replace(arc.report(GOVERNMENT, 2023, rng), published_date="2024-06-30")
    corrected = publish(GOVERNMENT, corrected_truth, name="2023-v2")
    del truths[superseded]
    _, decoy = render_not_report("guide", rng)
    arc.add(GOVERNMENT, decoy, url=f"http://{GOVERNMENT.host}/zwgk/guide.html")
    arc.add(FINANCE, b"\x00\x01\x02 not a document", url=f"http://{FINANCE.host}/zwgk/broken.bin", fmt="bin")
    arc.add(FINANCE, b"<html>404</html>", url=f"http://{FINANCE.host}/zwgk/gone.html", status=404)
    return Built(out, truths, superseded, corrected)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    result = make_archive(tmp_path_factory.mktemp("datasets") / "out")
    build_datasets(result.out)
    return result


@pytest.fixture
def copy(built: Built, tmp_path: Path) -> Built:
    """A private copy of the built output, for tests that change it."""
    shutil.copytree(built.out, tmp_path / "out")
    return dataclasses.replace(built, out=tmp_path / "out")


def snapshot(out: Path) -> dict[str, tuple[str, int]]:
    """Every built file: (sha256, mtime_ns), by path relative to the output folder."""
    files = [p for sub in ("parquet", "text") for p in (out / sub).rglob("*") if p.is_file()]
    return {
        p.relative_to(out).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in files
    }


def frame(out: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(out / "parquet" / table)


def test_every_cell_round_trips_with_its_type(built: Built) -> None:
    reports = frame(built.out, "reports").set_index("url")
    facts = frame(built.out, "facts")
    assert facts["value"].dtype == "float64"
    assert facts["imputed_value"].dtype == "float64"
    assert set(reports.index) == set(built.truths)
    for url, gt in built.truths.items():
        report = reports.loc[url]
        cells = facts[facts["report_id"] == report["report_id"]].set_index(["section", "item", "column"])
        keys = load_codebook(gt.template).keys
        assert report["n_facts"] == len(keys) == len(cells)
        assert int(report["year"]) == gt.year and report["template"] == gt.template
        for key in keys:
            cell = cells.loc[key]
            assert cell["kind"] == gt.expected_kind(key), key
            expected = gt.expected_value(key)
            assert (pd.isna(cell["value"]) and expected is None) or cell["value"] == pytest.approx(
                expected
            ), key


def test_one_file_per_table_and_year_with_the_declared_schema(built: Built) -> None:
    for name, spec in TABLES.items():
        files = data_files(built.out / "parquet" / name)
        assert files, name
        for path in files:
            assert pq.read_schema(path) == spec.file_schema, path  # the pandas metadata included
            assert path.relative_to(built.out / "parquet" / name).parts == (path.parent.name, PART_FILE)
            assert path.parent.name.startswith("year=")


def test_pandas_duckdb_and_pyarrow_read_the_same_rows(built: Built) -> None:
    root = built.out / "parquet"
    n = len(frame(built.out, "facts"))
    con = duckdb.connect()
    source = f"read_parquet('{root}/facts/**/*.parquet', hive_partitioning=true)"
    query = f"SELECT count(*), count(DISTINCT year) FROM {source}"
    assert con.execute(query).fetchone() == (n, 3)
    assert ds.dataset(root / "facts", format="parquet", partitioning="hive").count_rows() == n
    reports = read_table(root, "reports")
    assert reports.schema.field("year").type == "int64"
    assert sorted(reports.column("year").to_pylist()) == [2020, 2022, 2023, 2023]
    row = next(r for r in reports.to_pylist() if r["url"] == f"http://{FINANCE.host}/zwgk/nb/2022.html")
    assert str(row["fetched_at"].tzinfo) == "UTC"
    assert row["published_date"].isoformat() == built.truths[row["url"]].published_date


def test_page_and_docx_are_one_report_with_the_page_primary(built: Built) -> None:
    page = f"http://{FINANCE.host}/zwgk/nb/2022.html"
    docs = frame(built.out, "documents").set_index("url")
    report = frame(built.out, "reports").set_index("url").loc[page]
    assert report["n_documents"] == 2
    assert docs.loc[page, "role"] == "primary"
    assert docs.loc[page.replace(".html", ".docx"), "role"] == "duplicate"
    assert docs.loc[page.replace(".html", ".docx"), "report_id"] == report["report_id"]
    assert list(report["source_sha256"]) == [
        docs.loc[page, "content_sha256"],
        docs.loc[page.replace(".html", ".docx"), "content_sha256"],
    ]


def test_a_corrected_republication_supersedes_the_earlier_version(built: Built) -> None:
    docs = frame(built.out, "documents").set_index("url")
    reports = frame(built.out, "reports")
    assert built.superseded_url not in set(reports["url"])
    assert docs.loc[built.corrected_url, "role"] == "primary"
    assert docs.loc[built.superseded_url, "role"] == "superseded"
    assert docs.loc[built.superseded_url, "report_id"] == docs.loc[built.corrected_url, "report_id"]


def test_documents_keep_failures_and_non_reports_with_their_error(built: Built) -> None:
    docs = frame(built.out, "documents").set_index("url")
    broken = docs.loc[f"http://{FINANCE.host}/zwgk/broken.bin"]
    assert broken["status"] == "failed" and "unsupported format" in broken["error"]
    assert int(broken["year"]) == UNKNOWN_YEAR and pd.isna(broken["report_id"])
    gone = docs.loc[f"http://{FINANCE.host}/zwgk/gone.html"]
    assert gone["status"] == "failed" and "404" in gone["error"] and gone["http_status"] == 404
    assert docs.loc[f"http://{GOVERNMENT.host}/zwgk/guide.html", "status"] == "not_report"
    assert len(docs) == 9  # every (url, content) fetched, nothing dropped


def test_agency_ids_are_ascii_and_stable_across_years(built: Built) -> None:
    reports = frame(built.out, "reports")
    finance = reports[reports["url"].str.contains(FINANCE.host)]
    assert finance["agency_id"].nunique() == 1
    assert reports["agency_id"].nunique() == 3
    assert all(str(a).isascii() and "/" not in str(a) for a in reports["agency_id"])
    assert set(reports["report_id"]) == {
        f"{a}-{y}" for a, y in zip(reports["agency_id"], reports["year"], strict=True)
    }


def test_rerun_over_the_same_archive_changes_no_file(copy: Built) -> None:
    before = snapshot(copy.out)
    build_datasets(copy.out)
    assert snapshot(copy.out) == before
    build_datasets(copy.out, reparse=True, workers=1)
    assert snapshot(copy.out) == before


def test_updating_one_agency_rewrites_only_the_years_it_touches(copy: Built) -> None:
    finance_id = frame(copy.out, "reports").query("url.str.contains('qjqczj')")["agency_id"].iloc[0]
    before = snapshot(copy.out)
    arc = SyntheticArchive(copy.out, start=pd.Timestamp("2025-03-01", tz="UTC").to_pydatetime())
    arc.publish(FINANCE, arc.report(FINANCE, 2025, random.Random(7)))
    for only in ({finance_id}, None):
        summary = build_datasets(copy.out, only_agencies=only)
        after = snapshot(copy.out)
        changed = {p for p in after if before.get(p) != after[p]}
        assert changed, only
        shared = {"text/index.tsv", f"parquet/{DATAPACKAGE_FILE}", f"parquet/{STATE_FILE}"}
        assert all("/year=2025/" in p or finance_id in p for p in changed - shared), changed
        assert set(before) <= set(after)
    assert summary.parquet_files["written"] == 0  # the full build found nothing else to rewrite
    assert 2025 in {r.year for r in summary.reports}
    assert len(frame(copy.out, "reports")) == 5


def test_reparse_ignores_the_parse_cache(copy: Built) -> None:
    url = f"http://{TOWNSHIP.host}/zwgk/nb/2020.html"
    docs = frame(copy.out, "documents").set_index("url")
    poisoned = Report(source=url, status="not_report", title="cached parse")
    ParseCache(copy.out, PARSER_VERSION).put(docs.loc[url, "content_sha256"], poisoned)
    build_datasets(copy.out)
    assert frame(copy.out, "documents").set_index("url").loc[url, "status"] == "not_report"
    build_datasets(copy.out, reparse=True, workers=1)
    assert frame(copy.out, "documents").set_index("url").loc[url, "status"] == "ok"


def test_codebook_md_is_generated_from_the_schema() -> None:
    assert CODEBOOK_PATH.read_text(encoding="utf-8") == render_codebook(), (
        "docs/codebook.md is stale: run .venv/bin/python -m pipeline.datasets.codebook_doc"
    )
    text = render_codebook()
    for spec in TABLES.values():
        assert all(f"| `{c.name}` |" in text for c in spec.columns)


def test_summary_lists_years_agencies_and_where_things_are(built: Built) -> None:
    text = format_build_summary(build_datasets(built.out))
    assert "reports    4 from 3 agencies" in text
    for needle in ("2020", "2022", "2023", "佳木斯市前进区财政局", "datapackage.json", "nianbao grep"):
        assert needle in text


def test_cli_datasets_and_reparse(copy: Built, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["datasets", "--out", str(copy.out)]) == 0
    captured = capsys.readouterr()
    assert "Datasets built in" in captured.out
    assert captured.err == ""  # no progress bar: stderr is not a terminal
    assert cli_main(["reparse", "--out", str(copy.out), "--workers", "1"]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert cli_main(["datasets", "--out", str(copy.out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # -q: errors only


def test_a_deleted_file_is_rebuilt_although_its_inputs_did_not_change(copy: Built) -> None:
    victim = data_files(copy.out / "parquet" / "facts")[0]
    text = next((copy.out / "text").rglob("*.txt"))
    before = (victim.read_bytes(), text.read_bytes())
    victim.unlink()
    text.unlink()
    build_datasets(copy.out)
    assert (victim.read_bytes(), text.read_bytes()) == before


def test_an_unplaceable_agency_gets_a_fallback_id_and_a_warning(tmp_path: Path) -> None:
    arc = SyntheticArchive(tmp_path)
    nowhere = Site("hedong", "河东区人民政府", "")  # two 河东区 (天津, 临沂) and no region code
    arc.publish(nowhere, arc.report(nowhere, 2023, random.Random(3)))
    build_datasets(tmp_path)
    report = frame(tmp_path, "reports").iloc[0]
    assert not report["agency_resolved"] and len(report["agency_warnings"]) > 0
    assert str(report["agency_id"]).isascii() and report["report_id"] == f"{report['agency_id']}-2023"
    text = (tmp_path / report["text_path"]).read_text(encoding="utf-8")
    # No region is an empty header field, not the word None.
    assert "地区 Region: \n" in text and "None" not in text.split("====", 1)[0]


def test_a_scoped_update_without_a_previous_build_builds_every_agency(copy: Built) -> None:
    rows = len(frame(copy.out, "facts"))
    shutil.rmtree(copy.out / "parquet")
    finance_id = "230804-dept-czj"
    build_datasets(copy.out, only_agencies={finance_id})
    assert len(frame(copy.out, "facts")) == rows
