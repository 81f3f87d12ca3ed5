"""The crawl against a hostile site and a bad night: one `nianbao crawl` of a fault-injecting
server on 127.0.0.1 (tests/faultserver.py), with 127.0.0.2 and [::1] standing in for internal
services that must never be asked for anything.

Every fault of `SERVER_FAULTS` is on the site at once; the assertions read the run summary, the
servers' request logs, the archive and the datasets. Nothing depends on timing except the pauses
the crawl must make (Retry-After), which are checked as lower bounds.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from faultserver import Answer, FaultServer, ipv6_loopback
from hostile_corpus import HOSTILE_INPUTS

from pipeline.cli import EXIT_DEGRADED, EXIT_OK
from pipeline.crawl.fetch_policy import FetchPolicy, allowed_hosts
from pipeline.crawl.middlewares import retry_after
from pipeline.crawl.runner import POLITENESS_OFF, crawl_command
from pipeline.crawl.urls import canonical_url, host_of, join_url
from pipeline.render import random_ground_truth, render_docx, render_html

REPO = Path(__file__).resolve().parent.parent
# The corpus's files (its HTML pages are no attachments; the parser tests cover them).
_ATTACHED = {case.filename: case for case in HOSTILE_INPUTS if not case.filename.endswith(".html")}
SECRET = b"internal-secret-\xe5\xaf\x86"  # what the internal stand-ins and the local file hold
RETRY_AFTER_CAP = 3.0
PARSE_SECONDS = 5.0
_REPORT_TITLE = "{place}{year}年政府信息公开工作年度报告"

# (fault, where on the site) — the README counts these.
SERVER_FAULTS: tuple[tuple[str, str], ...] = (
    ("list link to a file: URL (a local file)", "list"),
    ("list link to a data: URL", "list"),
    ("list link to 127.0.0.2 (internal stand-in)", "list"),
    ("attachment link to [::1] (IPv6 literal)", "page"),
    ("attachment link to 127.0.0.2", "page"),
    ("malformed attachment link http://[::1/", "page"),
    ("on-site .pdf redirecting to 127.0.0.2", "page"),
    ("on-site .pdf redirecting to [::1]", "page"),
    ("redirect to a file: URL", "page"),
    ("429 with Retry-After: 2", "list"),
    ("503 with Retry-After beyond the cap", "list"),
    ("redirect loop a -> b -> a", "list"),
    ("dropped connection", "list"),
    ("body shorter than Content-Length", "list"),
    ("answer slower than the download timeout", "list"),
    ("500 on every try", "list"),
    ("404 attachment", "page"),
    ("gzip bomb", "list"),
    ("robots.txt that never answers", "site"),
    ("attachment over the parse time budget", "page"),
    ("attachments of the hostile corpus (span, merge, zip bombs)", "page"),
)


def _list_page(links: list[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="{href}">{title}</a><span>2024-03-01</span></li>' for href, title in links)
    return (
        f"<html><head><meta charset='utf-8'></head><body><ul class='list'>{items}</ul></body></html>".encode()
    )


def _page_with(report: bytes, attachments: list[tuple[str, str]]) -> bytes:
    links = "".join(f'<p><a href="{href}">{title}</a></p>' for href, title in attachments)
    at = report.rindex(b"</body>")
    return report[:at] + links.encode() + report[at:]


class Night:
    """The servers, the site they serve, and one crawl of it."""

    def __init__(self, tmp: Path) -> None:
        self.main = FaultServer("127.0.0.1")
        self.mute = FaultServer("127.0.0.1")  # a second site whose robots.txt never answers
        self.internal = FaultServer("127.0.0.2", routes={"/secret.pdf": Answer(SECRET)})
        self.internal6 = (
            FaultServer("::1", routes={"/secret.pdf": Answer(SECRET)}) if ipv6_loopback() else None
        )
        self.secret_file = tmp / "secret.pdf"
        self.secret_file.write_bytes(SECRET)
        self.truths = [random_ground_truth(random.Random(seed)) for seed in range(4)]
        self._routes()
        self.registry = tmp / "sites.yaml"
        entries = [
            {"id": "hostile", "agency": "某县人民政府", "name": "hostile site", "level": "county",
             "start_urls": [f"{self.main.url}/nb/index.html"]},
            {"id": "mute-robots", "agency": "某市人民政府", "name": "robots.txt never answers",
             "level": "city", "start_urls": [f"{self.mute.url}/nb/index.html"]},
        ]  # fmt: skip
        self.registry.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")

    def title(self, i: int) -> str:
        gt = self.truths[i % len(self.truths)]
        return _REPORT_TITLE.format(place=gt.agency, year=2010 + i)

    def _routes(self) -> None:
        internal = f"{self.internal.url}/secret.pdf"
        internal6 = f"{self.internal6.url}/secret.pdf" if self.internal6 else "http://[::1]:9/secret.pdf"
        hop, hop6 = f"{internal}?via=redirect", f"{internal6}?via=redirect"  # not the linked URLs
        ok_page = _page_with(
            render_html(self.truths[0]),
            [
                (internal6, "附件1"),
                (internal, "附件2"),
                ("http://[::1/broken.pdf", "附件3"),
                ("/nb/to-internal.pdf", "附件4"),
                ("/nb/to-internal6.pdf", "附件5"),
                ("/nb/to-file.pdf", "附件6"),
                ("/nb/gone.pdf", "附件7"),
                ("/nb/report.docx", "附件8"),  # after all of the above: must not be lost
                *((f"/nb/{name}", f"附件-{name}") for name in _ATTACHED),
                ("/nb/huge.html.pdf", "附件-huge"),
            ],
        )
        data_url = "data:application/pdf;base64," + base64.b64encode(SECRET).decode()
        links = [
            ("/nb/ok.html", self.title(0)),
            (self.secret_file.as_uri(), self.title(1)),
            (data_url, self.title(2)),
            (f"{self.internal.url}/report.pdf", self.title(3)),
            ("/nb/retry-after.html", self.title(4)),
            ("/nb/retry-capped.html", self.title(5)),
            ("/nb/loop-a.html", self.title(6)),
            ("/nb/drop.html", self.title(7)),
            ("/nb/short.html", self.title(8)),
            ("/nb/slow.html", self.title(9)),
            ("/nb/error.html", self.title(10)),
            ("/nb/bomb.html", self.title(11)),
        ]
        later = render_html(self.truths[1])
        capped = render_html(self.truths[2])

        def retry_after(n: int) -> Answer:
            return Answer(status=429, headers=(("Retry-After", "2"),)) if n == 1 else Answer(later)

        def retry_capped(n: int) -> Answer:
            return Answer(status=503, headers=(("Retry-After", "3600"),)) if n == 1 else Answer(capped)

        gzipped = (("Content-Encoding", "gzip"),)
        huge = b"<html><body>" + b"<p>\xe5\xb9\xb4\xe6\x8a\xa5 1</p>" * 1_500_000 + b"</body></html>"
        routes: dict[str, Any] = {
            "/robots.txt": Answer(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
            "/nb/index.html": Answer(_list_page(links)),
            "/nb/ok.html": Answer(ok_page),
            "/nb/report.docx": Answer(render_docx(self.truths[3]), content_type="application/octet-stream"),
            "/nb/to-internal.pdf": Answer(status=302, headers=(("Location", hop),)),
            "/nb/to-internal6.pdf": Answer(status=302, headers=(("Location", hop6),)),
            "/nb/to-file.pdf": Answer(status=302, headers=(("Location", self.secret_file.as_uri()),)),
            "/nb/gone.pdf": Answer(b"gone", status=404),
            "/nb/retry-after.html": retry_after,
            "/nb/retry-capped.html": retry_capped,
            "/nb/loop-a.html": Answer(status=302, headers=(("Location", "/nb/loop-b.html"),)),
            "/nb/loop-b.html": Answer(status=302, headers=(("Location", "/nb/loop-a.html"),)),
            "/nb/drop.html": Answer(drop=True),
            "/nb/short.html": Answer(render_html(self.truths[3]), truncate=500),
            "/nb/slow.html": Answer(render_html(self.truths[3]), delay=5),
            "/nb/error.html": Answer(b"oops", status=500),
            "/nb/bomb.html": Answer(gzip.compress(bytes(64 * 2**20)), headers=gzipped),
            "/nb/huge.html.pdf": Answer(huge, content_type="text/html"),
        }  # fmt: skip
        for name, case in _ATTACHED.items():
            routes[f"/nb/{name}"] = Answer(case.build()[0], content_type="application/octet-stream")
        self.main.routes.update(routes)
        self.mute.routes.update({
            "/robots.txt": Answer(b"User-agent: *\n", delay=30),
            "/nb/index.html": Answer(_list_page([("/nb/r.html", self.title(20))])),
            "/nb/r.html": Answer(render_html(self.truths[1])),
        })  # fmt: skip

    def crawl(self, out: Path, **settings: Any) -> subprocess.CompletedProcess[str]:
        overrides = {
            **POLITENESS_OFF,
            "DOWNLOAD_TIMEOUT": 2,
            "RETRY_TIMES": 1,
            "DOWNLOAD_MAXSIZE": 30 * 1024 * 1024,
            "NIANBAO_ROBOTS_TIMEOUT": 2,
            "NIANBAO_RETRY_AFTER_MAX": RETRY_AFTER_CAP,
            "NIANBAO_PARSE_WORKERS": 2,
            # A report parses in well under a second; the 22 MB page needs about 30 s: killed.
            "NIANBAO_PARSE_MAX_SECONDS": PARSE_SECONDS,
            **settings,
        }
        command = crawl_command(
            self.registry, out, allow_hosts=[self.main.netloc, self.mute.netloc], overrides=overrides
        )
        return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)

    def stop(self) -> None:
        for server in (self.main, self.mute, self.internal, self.internal6):
            if server is not None:
                server.stop()


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Night]:
    started = Night(tmp_path_factory.mktemp("hostile-site"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def crawled(night: Night, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    out = tmp_path_factory.mktemp("hostile-out")
    done = night.crawl(out)
    assert done.returncode in (EXIT_OK, EXIT_DEGRADED), done.stderr[-3000:]  # completed
    runs = sorted((out / "state" / "runs").glob("*.json"))
    return out, json.loads(runs[-1].read_text(encoding="utf-8")), done.stderr


def test_nothing_internal_or_local_is_fetched_or_archived(night: Night, crawled: tuple) -> None:
    out, summary, _ = crawled
    assert night.internal.hits == []
    assert night.internal6 is None or night.internal6.hits == []
    for path in (out / "archive" / "raw").rglob("*"):
        assert not path.is_file() or SECRET not in path.read_bytes(), path
    refused = summary["sites"]["hostile"]["refused"]
    assert refused.get("scheme", 0) >= 1  # the file: link (Scrapy itself never follows a redirect to file:)
    assert refused.get("loopback", 0) >= 5  # 127.0.0.2 and [::1]: list link, page links, redirect hops


def test_a_page_keeps_its_attachments_past_a_bad_link(night: Night, crawled: tuple) -> None:
    out, _, _ = crawled
    lines = [json.loads(line) for line in (out / "parsed" / "reports.jsonl").read_text().splitlines()]
    by_url = {line["url"]: line for line in lines}
    docx = by_url[f"{night.main.url}/nb/report.docx"]
    assert docx["report"]["status"] == "ok"
    for name, case in _ATTACHED.items():
        report = by_url[f"{night.main.url}/nb/{name}"]["report"]
        expected = "ok" if case.expect == "ok" else "failed"
        assert report["status"] == expected, (name, report["error"])


def test_faults_are_named_errors_in_the_summary(crawled: tuple) -> None:
    _, summary, stderr = crawled
    errors = summary["sites"]["hostile"]["errors"]
    for name in ("redirect_loop", "http_500", "http_404", "too_large"):
        assert errors.get(name, 0) >= 1, (name, errors)
    fetch_errors = sum(n for name, n in errors.items() if name.startswith("fetch_"))
    assert fetch_errors >= 3  # dropped, truncated, too slow
    assert summary["sites"]["mute-robots"]["errors"] == {"robots_unavailable": 1}
    assert summary["sites"]["mute-robots"]["reports_found"] == 1  # crawled all the same
    assert "Traceback" not in stderr.split("robots_unavailable")[0][-2000:]


def test_retry_after_is_honoured_within_its_cap(night: Night, crawled: tuple) -> None:
    first, second = night.main.times("/nb/retry-after.html")[:2]
    assert second - first >= 2.0
    first, second = night.main.times("/nb/retry-capped.html")[:2]
    assert second - first >= RETRY_AFTER_CAP


def test_one_bad_document_never_costs_the_others_their_datasets(night: Night, crawled: tuple) -> None:
    out, summary, _ = crawled
    assert summary["finish_reason"] == "finished" and summary["run_errors"] == {}
    assert summary["sites"]["hostile"]["errors"]["parse_timeout"] == 1  # the huge page's worker, killed
    documents = pd.read_parquet(out / "parquet" / "documents")
    failed = documents[documents["status"] == "failed"]
    errors = dict(zip(failed["url"], failed["error"], strict=True))
    assert "GRID_MAX_CELLS" in errors[f"{night.main.url}/nb/merge.xlsx"]
    assert errors[f"{night.main.url}/nb/huge.html.pdf"].startswith("parse_timeout: over PARSE_MAX_SECONDS")
    reports = pd.read_parquet(out / "parquet" / "reports")
    assert len(reports) >= 3


# --- the policy's rules, without a crawl (pure classification: no address here is contacted) ----


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("file:///etc/passwd", "scheme"),
        ("data:text/html,hi", "scheme"),
        ("ftp://www.example.gov.cn/a.pdf", "scheme"),
        ("http://127.0.0.2:8080/a.pdf", "loopback"),
        ("http://[::1]:8080/a.pdf", "loopback"),
        ("http://[::ffff:127.0.0.1]/a.pdf", "loopback"),
        ("http://10.1.2.3/a.pdf", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link_local"),
        ("http://224.0.0.1/a.pdf", "multicast"),
        ("http://0.0.0.0/a.pdf", "reserved"),
        ("http://www.gov.cn/a.pdf", None),  # a name: decided on its addresses, after DNS
        ("http://127.0.0.1:8000/a.pdf", None),  # allowed below, by exact host:port
        ("http://127.0.0.1:8001/a.pdf", "loopback"),  # … and only that port
    ],
)
def test_fetch_policy_refuses_schemes_and_internal_addresses(url: str, refusal: str | None) -> None:
    policy = FetchPolicy(allowed_hosts(["127.0.0.1:8000"]))
    assert policy.url_refusal(url) == refusal


def test_ipv6_hosts_keep_their_brackets_and_malformed_links_are_skipped() -> None:
    assert canonical_url("http://[::1]:8080/a.pdf") == "http://[::1]:8080/a.pdf"
    assert host_of("http://[::1]/a.pdf") == "[::1]"
    assert join_url("http://www.gov.cn/nb/", "http://[::1/a.pdf") is None
    assert join_url("http://www.gov.cn/nb/", "a.pdf") == "http://www.gov.cn/nb/a.pdf"


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after(b"20") == 20.0
    assert retry_after(b"Thu, 01 Jan 1970 00:00:00 GMT") == 0.0  # in the past: at once
    assert retry_after(b"soon") is None and retry_after(None) is None
