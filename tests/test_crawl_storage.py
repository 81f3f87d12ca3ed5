"""What the crawl keeps between runs (the state store) and what it writes at the end (outputs)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from pipeline.archive import FetchRecord, ParseCache, RawArchive
from pipeline.crawl.outputs import write_outputs
from pipeline.crawl.state import SiteRun, StateStore, UrlState
from pipeline.parse import PARSER_VERSION
from pipeline.render import random_ground_truth, render_docx, render_html


def test_state_remembers_urls_and_site_runs(tmp_path: Path) -> None:
    state = StateStore(tmp_path)
    state.put(UrlState("http://x.gov.cn/a.html", "s", "page", 200, sha256="ab", etag='"1"'))
    state.put(UrlState("http://x.gov.cn/gone.html", "s", "page", 404))
    state.put(UrlState("http://x.gov.cn/list.html", "s", "list", 200, sha256="cd", report_links=4))
    fetched = state.get("http://x.gov.cn/a.html")
    assert fetched is not None and fetched.etag == '"1"'
    assert state.is_done("http://x.gov.cn/a.html", retry_client_errors=False)
    assert state.is_done("http://x.gov.cn/gone.html", retry_client_errors=False)
    assert not state.is_done("http://x.gov.cn/gone.html", retry_client_errors=True)
    assert not state.is_done("http://x.gov.cn/list.html", retry_client_errors=False)  # lists: every run
    assert state.get("http://x.gov.cn/new.html") is None
    state.put_site_run(SiteRun("20260101T000000Z-aaaa", "s", True, 5, {"new": 5}))
    state.put_site_run(SiteRun("20260102T000000Z-bbbb", "s", False, 1, {"new": 0}))
    state.close()
    reopened = StateStore(tmp_path)  # durable across processes
    last = reopened.last_site_run("s", before="20260103T000000Z-cccc")
    assert last is not None and last.run_id.startswith("20260102") and not last.complete
    assert reopened.last_site_run("s", before="20260101T000000Z-aaaa") is None
    reopened.close()


def _fetch(archive: RawArchive, url: str, body: bytes, kind: str, **fields: Any) -> None:
    record = FetchRecord(
        url=url, sha256=archive.put(body), fetched_at="2026-11-29T00:00:00+00:00", kind=kind, **fields
    )
    archive.record(record)


def test_outputs_are_rebuilt_from_the_archive_alone(tmp_path: Path) -> None:
    truth = random_ground_truth(random.Random(7))
    page, docx = render_html(truth), render_docx(truth)
    archive = RawArchive(tmp_path)
    _fetch(archive, "http://x.gov.cn/nb/index.html", b"<html><a href='a.html'>list</a></html>", "list")
    _fetch(archive, "http://x.gov.cn/nb/a.html", page, "page", title=truth.title)
    _fetch(archive, "http://x.gov.cn/city/copy.html", page, "page")  # a re-post: same bytes
    _fetch(archive, "http://x.gov.cn/nb/a.docx", docx, "attachment", parent_url="http://x.gov.cn/nb/a.html")
    path = write_outputs(tmp_path)
    first = path.read_bytes()
    assert write_outputs(tmp_path).read_bytes() == first  # idempotent
    lines = [json.loads(line) for line in first.decode("utf-8").splitlines()]
    assert [line["url"] for line in lines] == ["http://x.gov.cn/nb/a.html", "http://x.gov.cn/nb/a.docx"]
    assert lines[0]["also_at"] == ["http://x.gov.cn/city/copy.html"]
    assert lines[1]["parent_url"] == "http://x.gov.cn/nb/a.html"
    for line in lines:
        assert line["report"]["status"] == "ok" and line["report"]["year"] == truth.year
    # Parsing filled the cache, so a later run (or `nianbao reparse`) starts from it.
    assert ParseCache(tmp_path, PARSER_VERSION).get(lines[1]["sha256"]) is not None
