"""`nianbao nightly` over the replica sites (loopback), night after night: exit statuses, site
health, alerts, the lock, and the run report as a browser renders it.

Each night runs `nianbao nightly` in a subprocess. A site is made to fail by pointing its registry
entry at a closed port (same site id, so its health carries over), and to recover by pointing it
back. Nothing depends on timing: outcomes come from run summaries, health and the alert files.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser import dump_dom, requires_chromium, screenshot
from PIL import Image

from pipeline.cli import EXIT_DEGRADED, EXIT_NOTHING_CRAWLED, EXIT_OK, EXIT_USAGE
from pipeline.crawl.runner import POLITENESS_OFF
from pipeline.crawl.state import StateStore
from pipeline.lock import LOCK_NAME, OutputLock
from pipeline.replica import Replica, start_replica
from pipeline.runreport.charts import BAR_COLOUR, STATUS_COLOURS

REPO = Path(__file__).resolve().parent.parent
SITES = ("replica-trs", "replica-hanweb", "replica-challenged")
ALERT_SCRIPT = """
import pathlib, sys
folder = pathlib.Path(sys.argv[1])
(folder / f"{len(list(folder.glob('*.json'))):03d}.json").write_text(sys.stdin.read(), encoding="utf-8")
"""


def nightly(
    out: Path, registry: Path, replica: Replica, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pipeline.cli", "nightly", "--sites", str(registry), "--out", str(out)]
    command += ["--allow-host", replica.host, *args]
    command += [a for key, value in POLITENESS_OFF.items() for a in ("--set", f"{key}={value}")]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, cwd=REPO, env={**os.environ, **(env or {})}
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def broken_registry(registry: Path, folder: Path, site_ids: tuple[str, ...]) -> tuple[Path, str]:
    """The same registry with these sites' start pages on a port nobody listens on (and that host)."""
    entries = yaml.safe_load(registry.read_text(encoding="utf-8"))
    port = closed_port()
    for entry in entries:
        if entry["id"] in site_ids:
            entry["start_urls"] = [re.sub(r":\d+/", f":{port}/", url) for url in entry["start_urls"]]
    path = folder / "broken.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path, f"127.0.0.1:{port}"


class Night:
    def __init__(self, done: subprocess.CompletedProcess[str], out: Path, alerts: Path, seen: int) -> None:
        self.status, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.runs = sorted((out / "runs").glob("*/report.json"))
        self.report: dict[str, Any] = (
            json.loads(self.runs[-1].read_text(encoding="utf-8")) if self.runs else {}
        )
        self.alerts = [
            json.loads(p.read_text(encoding="utf-8")) for p in sorted(alerts.glob("*.json"))[seen:]
        ]


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    started = start_replica(seed=0, n_reports_per_site=3, workdir=tmp_path_factory.mktemp("replica"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def nights(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four nights: a first crawl with a challenged site; a quiet night (taking over a stale lock,
    alert command from the environment); a night with two sites unreachable; their recovery."""
    work = tmp_path_factory.mktemp("nights")
    out, alerts = work / "out", work / "alerts"
    alerts.mkdir()
    script = work / "alert.py"
    script.write_text(ALERT_SCRIPT, encoding="utf-8")
    alert_cmd = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(alerts))}"
    registry = replica.registry_path
    result: dict[str, Any] = {"out": out}

    def night(name: str, registry: Path, *args: str, env: dict[str, str] | None = None) -> None:
        seen = len(list(alerts.glob("*.json")))
        result[name] = Night(nightly(out, registry, replica, *args, env=env), out, alerts, seen)

    night("first", registry, "--site", *SITES, "--alert-cmd", alert_cmd)
    # A lock left behind by a run that was killed: its pid is gone, the next run takes it over.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    holder = {
        "pid": int(dead.stdout),
        "host": socket.gethostname(),
        "started_at": "2026-01-01T00:00:00+00:00",
    }
    (out / LOCK_NAME).write_text(json.dumps(holder), encoding="utf-8")
    night("quiet", registry, "--site", *SITES[:2], env={"NIANBAO_ALERT_CMD": alert_cmd})
    broken, closed = broken_registry(registry, work, SITES[:2])
    night("down", broken, "--site", *SITES[:2], "--allow-host", closed, "--alert-cmd", alert_cmd)
    night("back", registry, "--site", SITES[0], "--site", SITES[1], "--alert-cmd", alert_cmd)
    state = StateStore(out)
    result["health"] = {h.site_id: h for h in state.all_health()}
    state.close()
    return result


def test_exit_status_follows_the_contract_night_after_night(nights: dict[str, Any]) -> None:
    assert nights["first"].status == EXIT_DEGRADED, nights["first"].stderr  # the challenged site
    assert nights["quiet"].status == EXIT_OK, nights["quiet"].stderr
    assert nights["down"].status == EXIT_NOTHING_CRAWLED, nights["down"].stderr
    assert nights["back"].status == EXIT_OK, nights["back"].stderr
    for night in ("first", "quiet", "down", "back"):
        assert nights[night].report["exit_status"] == nights[night].status
        assert "Traceback" not in nights[night].stderr


def test_quiet_by_default_no_scrapy_dump(nights: dict[str, Any]) -> None:
    first = nights["first"]
    assert "Overridden settings" not in first.stderr and "Dumping Scrapy stats" not in first.stderr
    assert "TOTAL" in first.stdout  # the run's own table
    assert len((first.stdout + first.stderr).splitlines()) < 80


def test_alerts_on_degrade_and_recovery_only(nights: dict[str, Any]) -> None:
    first, quiet, down, back = (nights[n] for n in ("first", "quiet", "down", "back"))
    assert [c["site_id"] for a in first.alerts for c in a["changes"]] == ["replica-challenged"]
    change = first.alerts[0]["changes"][0]
    assert (change["event"], change["previous_status"], change["status"]) == ("degraded", None, "failed")
    assert change["signals"] == ["challenge"]
    assert quiet.alerts == []  # nothing changed: no alert
    assert len(down.alerts) == 1
    events = {
        c["site_id"]: (c["event"], c["previous_status"], c["status"]) for c in down.alerts[0]["changes"]
    }
    assert events == {site: ("degraded", "ok", "failed") for site in SITES[:2]}
    assert down.alerts[0]["sites"] == {"failed": 2, "degraded": 0, "ok": 0}
    assert Path(down.alerts[0]["report"]).is_file()
    recovered = {c["site_id"]: (c["event"], c["status"]) for c in back.alerts[0]["changes"]}
    assert recovered == {site: ("recovered", "ok") for site in SITES[:2]}


def test_health_history_and_verification(nights: dict[str, Any], replica: Replica) -> None:
    health = nights["health"]
    trs = health["replica-trs"]
    assert (trs.status, trs.consecutive_failures, trs.signals) == ("ok", 0, [])
    assert trs.verified and trs.evidence.startswith(replica.url)
    challenged = health["replica-challenged"]
    assert (challenged.status, challenged.signals, challenged.verified) == ("failed", ["challenge"], False)
    assert challenged.last_success == ""
    down = nights["down"].report
    by_site = {s["site_id"]: s for s in down["sites"]}
    assert by_site["replica-trs"]["consecutive_failures"] == 1
    assert by_site["replica-trs"]["last_success"] != ""  # kept from the night before


def test_stale_lock_is_taken_over_and_said(nights: dict[str, Any]) -> None:
    assert "took over the lock of a run that is gone: pid" in nights["quiet"].stderr
    assert (nights["out"] / LOCK_NAME).read_text(encoding="utf-8") == ""  # released


def test_health_command_lists_worst_first(nights: dict[str, Any]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "health", "--out", str(nights["out"])],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["site", "health"]
    assert [line.split()[0] for line in lines[1:4]] == ["replica-challenged", "replica-hanweb", "replica-trs"]
    assert lines[-1] == "1 failed, 0 degraded, 2 ok (3 sites)"


def test_run_report_json_lists_what_the_night_found(nights: dict[str, Any], replica: Replica) -> None:
    first = nights["first"].report
    expected = {
        replica.url + path for site in SITES for report in replica.truth[site] for path in report.documents
    }
    new = {d["url"] for d in first["documents"] if d["change"] == "new"}
    assert expected <= new
    assert {s["status"] for s in first["sites"]} == {"ok", "failed"}
    assert first["sites"][0]["site_id"] == "replica-challenged"  # worst first
    assert nights["quiet"].report["documents"] == []  # an unchanged night
    back = nights["back"].report
    assert len(back["history"]["runs"]) == 4
    assert back["history"]["reports_found"][0] >= len(expected) // 2  # documents per report: 1 or 2
    assert back["history"]["reports_found"][2] == 0  # the night the sites were down
    assert back["history"]["site_status"]["replica-trs"] == ["ok", "ok", "failed", "ok"]


def test_a_second_run_on_a_locked_folder_says_who_holds_it(nights: dict[str, Any], replica: Replica) -> None:
    out = nights["out"]
    runs_before = sorted((out / "state" / "runs").iterdir())
    with OutputLock(out, command="nianbao nightly (test holder)"):
        done = nightly(out, replica.registry_path, replica, "--site", SITES[0])
    assert done.returncode == EXIT_USAGE
    message = done.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert f"pid {os.getpid()} on {socket.gethostname()} since " in message
    assert "nianbao nightly (test holder)" in message
    assert sorted((out / "state" / "runs").iterdir()) == runs_before  # nothing was crawled


def _pixels(png: Path, colour: str) -> int:
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.open(png).convert("RGB")
    return sum(1 for pixel in image.get_flattened_data() if pixel == target)


def _local_links(page: Path, workdir: Path) -> list[str]:
    """The links of a page as Chromium rendered it that point into the output folder."""
    links = re.findall(r'href="([^"]+)"', dump_dom(page.as_uri(), workdir))
    return [link for link in links if not link.startswith(("http://", "https://"))]


@requires_chromium
def test_run_report_links_resolve_to_archived_files(nights: dict[str, Any], tmp_path: Path) -> None:
    first = sorted((nights["out"] / "runs").glob("*/report.html"))[0]  # the night with new reports
    local = _local_links(first, tmp_path)
    assert sum("archive/raw/" in link for link in local) == len(nights["first"].report["documents"])
    assert any(link.startswith("../../text/") for link in local)
    missing = [link for link in local if not (first.parent / link).resolve().is_file()]
    assert missing == []


@requires_chromium
def test_run_report_page_renders_with_charts_that_are_not_blank(
    nights: dict[str, Any], tmp_path: Path
) -> None:
    page = sorted((nights["out"] / "runs").glob("*/report.html"))[-1]
    dom = dump_dom(page.as_uri(), tmp_path)
    assert dom.count("<svg") == 2 and "Sites by health" in dom and "Coverage by province" in dom
    png = screenshot(page.as_uri(), tmp_path / "report.png", tmp_path)
    assert _pixels(png, BAR_COLOUR) > 200  # the reports-per-night bars are drawn
    assert _pixels(png, STATUS_COLOURS["failed"]) > 50  # the night the sites were down
    assert _pixels(png, STATUS_COLOURS["ok"]) > 50


@requires_chromium
def test_index_page_links_every_run(nights: dict[str, Any], tmp_path: Path) -> None:
    index = nights["out"] / "runs" / "index.html"
    links = [link for link in _local_links(index, tmp_path) if link.endswith("report.html")]
    assert len(links) == len(nights["back"].runs) == 4
    assert all((index.parent / link).is_file() for link in links)


# --- signals only a hostile server gives: a TLS error, a redirect to another host --------------


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]  # type: ignore[index]  # (host, port) for AF_INET
        self.send_response(302)
        self.send_header("Location", f"http://localhost:{port}/moved/")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_tls_errors_and_offsite_redirects_are_named_signals(replica: Replica, tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    redirect_host = f"127.0.0.1:{server.server_address[1]}"
    try:
        registry = tmp_path / "sites.yaml"
        sites = [
            # TLS spoken to a plain HTTP server: the handshake fails.
            {"id": "tls", "agency": "某市人民政府", "start_urls": [f"https://{replica.host}/trs/"]},
            {"id": "moved", "agency": "某县人民政府", "start_urls": [f"http://{redirect_host}/list/"]},
        ]
        registry.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
        command = [sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(registry)]
        command += [
            "--out",
            str(tmp_path / "out"),
            "--allow-host",
            replica.host,
            "--allow-host",
            redirect_host,
        ]
        command += [a for key, value in POLITENESS_OFF.items() for a in ("--set", f"{key}={value}")]
        command += ["--set", "ROBOTSTXT_OBEY=False"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == EXIT_NOTHING_CRAWLED, done.stderr[-3000:]
    summary = json.loads(sorted((tmp_path / "out" / "state" / "runs").glob("*.json"))[-1].read_text())
    assert summary["sites"]["tls"]["status"] == "failed"
    assert summary["sites"]["tls"]["signals"] == ["tls_error"]
    assert summary["sites"]["moved"]["status"] == "failed"
    assert summary["sites"]["moved"]["signals"] == ["redirect_offsite"]


# --- stopped by the service manager -------------------------------------------------------------


def test_sigterm_mid_crawl_ends_the_night_cleanly_with_status_1(replica: Replica, tmp_path: Path) -> None:
    """systemd stops a night (SIGTERM): the run closes, writes its summary, datasets and report, and
    exits 1 ("cut short"). The moment is fixed by the replica, which holds one document's answer
    until the signal has been sent."""
    site = SITES[0]
    held = min(path for report in replica.truth[site] for path in report.documents)
    arrived, release = threading.Event(), threading.Event()
    serve = replica.server.resource

    def holding(target: str, params: dict[str, str]) -> Any:
        if target == held:
            arrived.set()
            release.wait(timeout=120)
        return serve(target, params)

    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "nightly", "-v", "--sites", str(replica.registry_path)]
    command += ["--out", str(out), "--allow-host", replica.host, "--site", site]
    command += [a for key, value in POLITENESS_OFF.items() for a in ("--set", f"{key}={value}")]
    lines: list[str] = []
    shutting_down = threading.Event()

    def read(stream: Any) -> None:  # -v: Scrapy says when it has taken the signal
        for line in stream:
            lines.append(line)
            if "shutting down gracefully" in line:
                shutting_down.set()

    replica.server.resource = holding  # type: ignore[method-assign]
    try:
        with subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        ) as proc:
            reader = threading.Thread(target=read, args=(proc.stderr,), daemon=True)
            reader.start()
            assert arrived.wait(timeout=180), "the held document was never requested"
            proc.send_signal(signal.SIGTERM)
            assert shutting_down.wait(timeout=120), "".join(lines)[-3000:]
            release.set()
            proc.wait(timeout=300)
            reader.join(timeout=60)
    finally:
        release.set()
        replica.server.resource = serve  # type: ignore[method-assign]
    stderr = "".join(lines)
    assert proc.returncode == EXIT_DEGRADED, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "Dumping Scrapy stats" in stderr  # -v: what the default leaves out
    report = json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    assert report["finish_reason"] == "shutdown" and report["exit_status"] == EXIT_DEGRADED
    assert (out / "parquet").is_dir() and not (out / LOCK_NAME).read_text(encoding="utf-8")
