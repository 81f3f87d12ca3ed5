"""`nianbao serve`: Datasette over the datasets, searched for a two-character word in headless
Chromium, a report page linking to its original, and the original served with its content type."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from browser import dump_dom, requires_chromium
from test_datasets import FINANCE, Built

from pipeline.archive import RawArchive
from pipeline.cli import main as cli_main
from pipeline.datasets.datapackage import CELL_COLUMNS
from pipeline.serve.database import serve_database
from pipeline.serve.metadata import CELL_LABELS, metadata
from pipeline.serve.originals import content_type
from pipeline.serve.terms import excerpt, index_terms, match_query

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STARTUP_SECONDS = 120  # a guard against a server that never starts, not a speed expectation


# --- pure parts ------------------------------------------------------------------------------------


def test_character_pairs_find_short_words() -> None:
    assert index_terms("财政局公开ABC。") == "财政 政局 局公 公开 开 abc"
    assert match_query("财政局") == '"财政 政局"'
    assert match_query("财政 abc") == '"财政" AND "abc"'
    assert match_query("财") == '"财"*'
    assert excerpt("本局围绕财政预算开展工作", "财政", width=2) == "…围绕【财政】预算…"


def test_content_type_comes_from_the_bytes() -> None:
    assert content_type("<html><body>公开</body></html>".encode("gb18030")) == "text/html; charset=gb18030"
    assert content_type("年度报告".encode()) == "text/plain; charset=utf-8"
    assert content_type(b"%PDF-1.7\n") == "application/pdf"
    assert (
        content_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "2023年报.doc") == "application/msword"
    )


def test_every_column_is_labelled_in_both_languages(tmp_path: Path) -> None:
    assert set(CELL_LABELS) == set(CELL_COLUMNS)
    tables = metadata(tmp_path)["databases"]["nianbao"]["tables"]
    for table in tables.values():
        for label in table.get("columns", {}).values():
            assert " · " in label and re.search(r"[\u4e00-\u9fff]", label), label


# --- the server ------------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    out: Path
    built: Built


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, dict(response.headers), response.read()


def get_json(url: str) -> list[dict]:
    return json.loads(get(url)[2])


@pytest.fixture(scope="module")
def server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    out = tmp_path_factory.mktemp("serve") / "out"
    shutil.copytree(built.out, out)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), *sys.path])}
    command = [sys.executable, "-m", "pipeline.cli", "serve", "--out", str(out), "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            try:
                get(url + "/-/versions.json")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                assert time.monotonic() < deadline, "nianbao serve did not start"
                time.sleep(0.2)
        yield Server(url, out, built)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _expected_reports(server: Server, word: str) -> set[str]:
    """Reports whose agency or title holds the word (the generated prose never does for 财政)."""
    reports = get_json(f"{server.url}/nianbao/reports.json?_shape=array&_col=report_id&_col=url&_size=max")
    ids = {r["url"]: r["report_id"] for r in reports}
    return {ids[url] for url, gt in server.built.truths.items() if word in gt.agency_full + gt.title}


def test_search_api_finds_short_and_long_words(server: Server) -> None:
    def search(q: str) -> set[str]:
        rows = get_json(f"{server.url}/nianbao/search.json?_shape=array&q={quote(q)}")
        return {r["report_id"] for r in rows}

    finance = _expected_reports(server, "财政")
    assert finance and search("财政") == finance
    assert search("前进区财政局") == finance
    assert search("") == set()
    trigram = get_json(
        f"{server.url}/nianbao/report_text.json?_shape=array&_col=report_id&_search={quote('财政局')}"
    )
    assert {r["report_id"] for r in trigram} == finance


def test_error_without_datasets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["serve", "--out", str(tmp_path)]) == 2
    assert "no datasets" in capsys.readouterr().err


@requires_chromium
def test_browser_search_for_a_two_character_word(server: Server, tmp_path: Path) -> None:
    dom = dump_dom(f"{server.url}/nianbao/search?q={quote('财政')}", tmp_path)
    shown = set(re.findall(r"\b[0-9a-z-]+-\d{4}\b", dom))
    reports = get_json(f"{server.url}/nianbao/reports.json?_shape=array&_col=report_id&_size=max")
    assert shown & {r["report_id"] for r in reports} == _expected_reports(server, "财政")
    assert "【财政】" in dom


@requires_chromium
def test_browser_report_page_links_source_and_original(server: Server, tmp_path: Path) -> None:
    url = f"http://{FINANCE.host}/zwgk/nb/2022.html"
    row = get_json(f"{server.url}/nianbao/reports.json?_shape=array&url={quote(url)}")[0]
    dom = dump_dom(f"{server.url}/nianbao/reports/{row['rowid']}", tmp_path)
    assert f'href="{url}"' in dom  # the source
    sha256 = row["content_sha256"]
    assert f'href="/-/original/{sha256}"' in dom
    status, headers, body = get(f"{server.url}/-/original/{sha256}")
    assert status == 200 and body == RawArchive(server.out).get(sha256)
    assert headers["content-type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == "sandbox"
    original = dump_dom(f"{server.url}/-/original/{sha256}", tmp_path)
    assert "政府信息公开" in original


def test_a_docx_original_is_served_as_docx(server: Server) -> None:
    docs = get_json(f"{server.url}/nianbao/documents.json?_shape=array&filename__endswith=.docx")
    assert docs
    status, headers, _ = get(f"{server.url}/-/original/{docs[0]['content_sha256']}")
    assert status == 200 and headers["content-type"] == DOCX
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(f"{server.url}/-/original/{'0' * 64}")
    assert missing.value.code == 404


def test_the_serve_database_follows_the_datasets(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    first = serve_database(out)
    stamp = first.stat().st_mtime_ns
    assert serve_database(out).stat().st_mtime_ns == stamp  # nothing changed: kept
    table = next((out / "parquet" / "facts").rglob("*.parquet"))
    later = first.stat().st_mtime + 10
    os.utime(table, (later, later))  # a rebuild rewrote a table file
    assert serve_database(out).stat().st_mtime_ns != stamp
    con = sqlite3.connect(first)
    try:
        assert con.execute("SELECT count(*) FROM report_text").fetchone()[0] == len(built.truths)
    finally:
        con.close()
