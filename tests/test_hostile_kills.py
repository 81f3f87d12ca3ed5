"""SIGKILL of a crawl at each stage: nothing it started survives it, and the next run ends with
exactly what a clean run gives. And a full disk: the run stops, says so, exits non-zero.

The crawl is a subprocess of the replica sites (loopback). A stage is reached by watching what
the crawl has done (requests the replica answered, files written), so the kill lands at or after
the stage; every assertion holds wherever exactly it lands.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_formats_corpus import convert_cache, docx_of, ground_truth, to_doc  # noqa: F401 (a fixture)

from pipeline.cli import EXIT_DEGRADED, EXIT_OK
from pipeline.crawl.runner import POLITENESS_OFF, crawl_command
from pipeline.processes import is_running, remove_stale_temp, temp_owner
from pipeline.replica import Replica, start_replica

REPO = Path(__file__).resolve().parent.parent
SETTINGS = {**POLITENESS_OFF, "NIANBAO_PARSE_WORKERS": 2}


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    started = start_replica(seed=3, n_reports_per_site=2, workdir=tmp_path_factory.mktemp("kill-replica"))
    yield started
    started.stop()


def _command(replica: Replica, out: Path) -> list[str]:
    return crawl_command(replica.registry_path, out, allow_hosts=[replica.host], overrides=SETTINGS)


def _crawl(replica: Replica, out: Path) -> None:
    done = subprocess.run(_command(replica, out), capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode in (EXIT_OK, EXIT_DEGRADED), done.stderr[-3000:]  # the replica has a failing site


def outcome(out: Path) -> dict[str, tuple]:
    """What a crawl produced, per report URL: its parse status and cells. Not the bytes, nor the
    pages that are no report: the replica's script-rendered (SPA) shells differ from one request
    to the next."""
    lines = [json.loads(line) for line in (out / "parsed" / "reports.jsonl").read_text().splitlines()]
    return {
        line["url"]: (
            line["report"]["status"],
            sorted((f["section"], f["item"], f["column"], str(f["value"])) for f in line["report"]["facts"]),
        )
        for line in lines
        if line["report"]["status"] != "not_report"
    }


@pytest.fixture(scope="module")
def clean(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    out = tmp_path_factory.mktemp("clean")
    _crawl(replica, out)
    return outcome(out)


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children of children …), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except OSError:
        return False


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _requests(replica: Replica, n: int) -> Callable[[Path], bool]:
    return lambda _out: len(replica.log) >= n


def _file(relative: str) -> Callable[[Path], bool]:
    return lambda out: (out / relative).exists()


# (stage, the sign that the crawl reached it) — the README counts these.
KILL_STAGES: tuple[tuple[str, Callable[[Replica], Callable[[Path], bool]]], ...] = (
    ("first list pages", lambda replica: _requests(replica, 3)),
    ("documents downloading and parsing", lambda replica: _requests(replica, 25)),
    ("outputs and datasets at close", lambda _replica: _file("parsed/reports.jsonl")),
)


@pytest.mark.parametrize("stage", KILL_STAGES, ids=[s[0] for s in KILL_STAGES])
def test_a_killed_crawl_leaves_nothing_running_and_the_next_run_is_whole(
    stage: tuple, replica: Replica, clean: dict, tmp_path: Path
) -> None:
    name, sign = stage
    reached = sign(replica)
    out = tmp_path / "out"
    replica.clear_log()
    crawl = subprocess.Popen(
        _command(replica, out), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    children: set[int] = set()
    try:
        assert _wait(lambda: reached(out) or crawl.poll() is not None, 120), name
        children = descendants(crawl.pid)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    finally:
        if crawl.poll() is None:
            crawl.kill()
    # Workers, forkserver and resource tracker: gone with the crawl (bounded wait, no sleep-and-hope).
    assert _wait(lambda: not any(_alive(pid) for pid in children), 20), sorted(filter(_alive, children))
    _crawl(replica, out)
    assert outcome(out) == clean


def _processes_naming(text: str) -> set[int]:
    """Processes whose command line holds `text` (soffice names its private profile folder)."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes() and _alive(int(cmdline.parent.name)):
                found.add(int(cmdline.parent.name))
        except (OSError, ValueError):
            continue
    return found


def test_a_killed_parse_takes_libreoffice_with_it_and_the_next_run_removes_its_folder(
    convert_cache: None,  # noqa: F811
    tmp_path: Path,
) -> None:
    doc = tmp_path / "report.doc"
    doc.write_bytes(to_doc(docx_of(ground_truth(24))))  # converted once per session
    temp = tmp_path / "tmp"
    temp.mkdir()
    # A cold conversion cache (LibreOffice must run) and a temporary folder of the test's own.
    env = {**os.environ, "NIANBAO_CACHE": str(tmp_path / "cold"), "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "pipeline.cli", "parse", str(doc)]
    parse = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait(lambda: bool(_processes_naming(str(temp))) or parse.poll() is not None, 120)
        assert parse.poll() is None, "the conversion ended before it could be interrupted"
        parse.send_signal(signal.SIGKILL)
        parse.wait()
    finally:
        if parse.poll() is None:
            parse.kill()
    assert _wait(lambda: not _processes_naming(str(temp)), 20), _processes_naming(str(temp))
    # The orphaned worker may still be removing LibreOffice's folder: wait until no owner runs.
    assert _wait(lambda: not _folders_of_running_owners(temp), 60)
    # SIGKILL runs no cleanup in the killed process: its folders (the workers' multiprocessing
    # folder always; LibreOffice's unless the orphaned worker removed it first) …
    left = sorted(temp.glob("nianbao-*"))
    assert any(path.name.startswith("nianbao-mp-") for path in left)
    assert sorted(remove_stale_temp(temp)) == left  # … are removed by the next run
    assert list(temp.iterdir()) == []


def _folders_of_running_owners(temp: Path) -> list[Path]:
    folders = temp.glob("nianbao-*")
    return [folder for folder in folders if (owner := temp_owner(folder)) and is_running(owner)]


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return done.returncode == 0


def test_a_full_disk_stops_the_run_with_a_named_error_and_a_non_zero_exit(
    replica: Replica, tmp_path: Path
) -> None:
    out = tmp_path / "small"
    if not _tmpfs(out, "600k"):
        pytest.skip("no small tmpfs here (needs root and mount)")
    try:
        done = subprocess.run(_command(replica, out), capture_output=True, text=True, timeout=300, cwd=REPO)
        assert done.returncode == 1, done.stderr[-2000:]
        assert done.stderr.splitlines()[-1].startswith("nianbao crawl: ")  # one line says why
        assert "Traceback" not in done.stdout
        runs = list((out / "state" / "runs").glob("*.json"))
        summary = json.loads(runs[0].read_text()) if runs else json.loads(_summary_in(done.stderr))
        assert summary["finish_reason"] == "disk_full"
        assert any(name.startswith("storage_ENOSPC") for name in summary["totals"]["errors"])
    finally:
        subprocess.run(["umount", str(out)], check=False)


def _summary_in(stderr: str) -> str:
    """The summary the crawl printed when it could not write it."""
    start = stderr.index("; it was:\n") + len("; it was:\n")
    return stderr[start : stderr.index("\n}\n", start) + 2]
