"""End to end: crawl the replica sites (loopback) with `nianbao crawl` and check what came out.

Each crawl runs in a subprocess (a Twisted reactor runs once per process). Nothing here depends on
timing: counts come from the replica's request log and the run summaries.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.archive import RawArchive
from pipeline.cli import EXIT_DEGRADED, EXIT_OK
from pipeline.crawl.runner import POLITENESS_OFF, crawl_command
from pipeline.replica import LoggedRequest, Replica, start_replica
from pipeline.replica.layout import CITY_PORTAL

REPO = Path(__file__).resolve().parent.parent
N_REPORTS = 6


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    started = start_replica(seed=0, n_reports_per_site=N_REPORTS, workdir=tmp_path_factory.mktemp("replica"))
    yield started
    started.stop()


class Run:
    """One crawl: its summary, what it printed, and the requests the replica received."""

    def __init__(
        self,
        replica: Replica,
        out: Path,
        *,
        full: bool = False,
        site_ids: tuple[str, ...] = (),
        **settings: Any,
    ) -> None:
        replica.clear_log()
        overrides = {**POLITENESS_OFF, "LOG_LEVEL": "INFO", **settings}
        command = crawl_command(
            replica.registry_path,
            out,
            full=full,
            site_ids=site_ids,
            allow_hosts=[replica.host],
            overrides=overrides,
        )
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=REPO)
        # The replica has a challenged site, so a run over every site exits "some sites failed".
        assert done.returncode in (EXIT_OK, EXIT_DEGRADED), done.stderr[-4000:]
        self.returncode, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.log: list[LoggedRequest] = replica.log
        runs = sorted((out / "state" / "runs").glob("*.json"))
        self.summary = json.loads(runs[-1].read_text(encoding="utf-8"))
        self.warc = out / "archive" / "warc" / f"{self.summary['run_id']}.warc.gz"

    def requested(self, replica: Replica) -> Counter[str]:
        """Absolute URLs of every document (not list) request."""
        return Counter(replica.url + e.target for e in self.log if not replica.is_list_request(e))

    def errors(self, site_id: str) -> dict[str, int]:
        return self.summary["sites"][site_id]["errors"]


def parsed_lines(out: Path) -> list[dict]:
    text = (out / "parsed" / "reports.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def cell_errors(line: dict, replica: Replica) -> list[str]:
    """Cells of a parsed document that differ from the ground truth of the report it carries."""
    truth = replica.documents()[line["url"]].report.truth
    facts = {(f["section"], f["item"], f["column"]): f["value"] for f in line["report"]["facts"]}
    return [f"{'/'.join(k)}: {facts.get(k, 'missing')} != {truth.expected_value(k)}"
            for k in truth.values if facts.get(k, "missing") != truth.expected_value(k)]  # fmt: skip


def assert_every_report_right(out: Path, replica: Replica) -> None:
    expected = replica.documents()
    lines = parsed_lines(out)
    by_url = {line["url"]: line for line in lines}
    assert sorted(set(expected) - set(by_url)) == []
    for url in expected:
        report = by_url[url]["report"]
        assert report["status"] == "ok", (url, report["warnings"])
        assert cell_errors(by_url[url], replica) == [], url
    # Nothing else parsed as a report: no twin, no look-alike, no page counted twice.
    shells = {replica.url + r.shell for reports in replica.truth.values() for r in reports if r.shell}
    extra = [line["url"] for line in lines if line["url"] not in expected and line["url"] not in shells]
    assert extra == []
    assert len(lines) == len({line["sha256"] for line in lines})


# --- the first crawl -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="module")
def first(replica: Replica, out: Path) -> Run:
    return Run(replica, out)


def test_every_report_is_found_once_with_every_cell_right(first: Run, replica: Replica, out: Path) -> None:
    assert_every_report_right(out, replica)
    total = sum(len(reports) for reports in replica.truth.values())
    # The challenged site publishes nothing; the city portal its own fixed set (replica/layout.py).
    assert total == N_REPORTS * (len(replica.truth) - 2) + len(replica.truth[CITY_PORTAL])
    assert first.summary["totals"]["parsed_ok"] == len(replica.documents())


def test_traps_robots_offsite_and_look_alikes_are_never_requested(first: Run, replica: Replica) -> None:
    paths = [e.target for e in first.log]
    assert not [p for p in paths if p.startswith(replica.traps["robots_disallowed"])]
    assert not [p for p in paths if p.startswith(replica.traps["calendar"])]
    assert {e.host for e in first.log} == {replica.host}
    assert not [p for p in paths if "decoy_" in p or "zfxxgkzn" in p]  # 部门决算, 文字解读, 指南
    generic = first.summary["sites"]["replica-generic"]
    assert generic["errors"] == {"http_404": 1}
    # Requests are bounded: every list page once or twice (index.html and its folder), every
    # document once, one retry, robots.txt.
    documents = first.requested(replica)
    assert max(documents.values()) <= 2  # only the flaky page is asked twice (500, then 200)
    assert len(first.log) <= 2 * len(replica.layout.list_paths) + len(replica.documents()) + 10


def test_errors_are_named_and_counted(first: Run) -> None:
    assert first.errors("replica-challenged") == {"challenge": 1}
    assert first.errors("replica-hanweb") == {}  # its 500 succeeded on retry
    assert first.summary["totals"]["errors"] == {"challenge": 1, "http_404": 1}
    assert "site " in first.stdout and "TOTAL" in first.stdout  # the aligned table
    assert "challenge" in first.stderr  # and loudly in the log
    assert first.summary["sites"]["replica-challenged"]["status"] == "failed"
    assert first.returncode == EXIT_DEGRADED


def test_every_exchange_is_in_the_warc_and_every_body_in_the_archive(first: Run, out: Path) -> None:
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", str(first.warc)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with first.warc.open("rb") as fh:
        types = Counter(record.rec_type for record in ArchiveIterator(fh))
    assert types["response"] == types["request"] == len(first.log)
    archive = RawArchive(out)
    records = list(archive.records())
    assert {r.kind for r in records} == {"list", "page", "attachment"}
    for record in records:
        assert hashlib.sha256(archive.get(record.sha256)).hexdigest() == record.sha256
        assert record.status == 200 and record.fetched_at and record.headers


def test_detail_metadata_and_attachments_are_recorded(first: Run, replica: Replica, out: Path) -> None:
    lines = {line["url"]: line for line in parsed_lines(out)}
    page = next(
        line for line in lines.values() if line["site_id"] == "replica-trs" and line["kind"] == "page"
    )
    assert page["index_no"] and page["publisher"] and len(page["published"]) == 10
    assert page["site_id_code"] and page["title"].endswith("报告")
    xlsx = next(line for line in lines.values() if "download.jsp" in line["url"])
    assert xlsx["kind"] == "attachment" and xlsx["filename"].endswith(".xlsx")
    assert xlsx["parent_url"].startswith(replica.url + "/vsb/info/")
    both = next(r for r in replica.truth["replica-trs"] if len(r.documents) == 2)
    page_url, docx_url = (replica.url + d for d in both.documents)
    assert lines[docx_url]["parent_url"] == page_url  # one report, two source documents


# --- the next night ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def second(first: Run, replica: Replica, out: Path) -> Run:
    return Run(replica, out)


def test_an_unchanged_site_costs_only_its_list_pages(second: Run, replica: Replica, out: Path) -> None:
    assert second.requested(replica) == Counter()
    assert all(e.status in (200, 304) for e in second.log)
    assert sum(e.status == 304 for e in second.log) >= len(replica.truth) - 1
    assert second.summary["totals"]["new"] == second.summary["totals"]["changed"] == 0
    with second.warc.open("rb") as fh:
        assert "revisit" in {record.rec_type for record in ArchiveIterator(fh)}
    assert_every_report_right(out, replica)  # outputs rebuilt, same content


@pytest.fixture(scope="module")
def full(second: Run, replica: Replica, out: Path) -> Run:
    return Run(replica, out, full=True)


def test_full_fetches_everything_again(full: Run, replica: Replica, out: Path) -> None:
    requested = full.requested(replica)
    assert set(replica.documents()) <= set(requested)
    assert not any("If-None-Match" in e.headers for e in full.log)
    assert full.summary["totals"]["new"] == 0  # same bytes as before
    assert_every_report_right(out, replica)


# --- interrupted, then resumed -------------------------------------------------------------------


@pytest.fixture(scope="module")
def resumed(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run, set[str], Run]:
    folder = tmp_path_factory.mktemp("resume")
    stopped = Run(replica, folder, CLOSESPIDER_PAGECOUNT=15)
    archived = {r.url for r in RawArchive(folder).records() if r.kind != "list"}
    return folder, stopped, archived, Run(replica, folder)


def test_an_interrupted_crawl_resumes_where_it_stopped(
    resumed: tuple[Path, Run, set[str], Run], replica: Replica
) -> None:
    folder, stopped, archived, rest = resumed
    assert stopped.summary["finish_reason"] == "closespider_pagecount"
    assert rest.summary["finish_reason"] == "finished"
    assert archived and not archived & set(rest.requested(replica))  # nothing fetched twice
    assert_every_report_right(folder, replica)


def test_a_site_that_stops_yielding_reports_is_an_error(
    resumed: tuple[Path, Run, set[str], Run], replica: Replica
) -> None:
    folder = resumed[0]
    routes = replica.layout.routes
    lists = [p for p in replica.layout.list_paths if p.startswith("/vsb/")]
    saved = {p: routes[p] for p in lists}
    try:
        for path in lists:  # the site is redesigned: its list pages no longer show the reports
            routes[path] = type(saved[path])(b"<html><body><p>\xe6\x94\xb9\xe7\x89\x88</p></body></html>")
        changed = Run(replica, folder, site_ids=("replica-vsb",))
    finally:
        routes.update(saved)
    errors = changed.errors("replica-vsb")
    assert errors["site_yields_none"] == 1 and errors["list_stopped_matching"] >= 1
    vsb = changed.summary["sites"]["replica-vsb"]
    assert (vsb["status"], vsb["signals"]) == ("degraded", ["list_stopped_matching", "site_yields_none"])
    assert changed.returncode == EXIT_DEGRADED
