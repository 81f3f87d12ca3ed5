"""The text archive: one UTF-8 file per report at text/YYYY/<agency_id>/<report_id>.txt, a short
header, the full text and the parsed tables, and an index; plain `grep -r` finds useful lines."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest
from test_datasets import Built

from pipeline.datasets.text import HEADER_LINES, INDEX_COLUMNS, read_index


@pytest.fixture(scope="module")
def reports(built: Built) -> pd.DataFrame:
    return pd.read_parquet(built.out / "parquet" / "reports")


def test_one_file_per_report_at_the_exact_path(built: Built, reports: pd.DataFrame) -> None:
    files = sorted(p.relative_to(built.out).as_posix() for p in (built.out / "text").rglob("*.txt"))
    expected = sorted(f"text/{r.year}/{r.agency_id}/{r.report_id}.txt" for r in reports.itertuples())
    assert files == expected == sorted(reports["text_path"])


def test_header_then_text_then_parsed_tables(built: Built, reports: pd.DataFrame) -> None:
    for r in reports.itertuples():
        lines = (built.out / r.text_path).read_text(encoding="utf-8").splitlines()
        header = dict(line.split(": ", 1) for line in lines[: HEADER_LINES - 1])
        assert header["标题 Title"] == r.title
        assert header["机关 Agency"] == f"{r.agency_name} ({r.agency_id})"
        assert header["年度 Year"] == str(r.year)
        assert header["网址 URL"] == r.url
        assert header["发布 Published"] == str(r.published_date)
        assert (built.out / header["原件 Original"]).read_bytes()  # the archived original
        assert set(lines[HEADER_LINES - 1]) == {"="}
        body = "\n".join(lines[HEADER_LINES:])
        assert "三、收到和处理政府信息公开申请情况" in body
        assert "解析所得统计表 Parsed tables" in body


def test_only_primary_reports_get_a_file(built: Built) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (built.out / "text").rglob("*.txt"))
    assert built.superseded_url not in text and built.corrected_url in text
    assert "guide.html" not in text


def test_index_lists_every_report(built: Built, reports: pd.DataFrame) -> None:
    index = read_index(built.out / "text")
    assert set(index) == set(reports["text_path"])
    first = next(iter(index.values()))
    assert tuple(first) == INDEX_COLUMNS


@pytest.mark.skipif(shutil.which("grep") is None, reason="needs grep")
def test_plain_grep_finds_two_character_words(built: Built) -> None:
    found = subprocess.run(
        ["grep", "-r", "-n", "不予公开", str(built.out / "text" / "2023")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert found and all("/2023/" in line for line in found)
