"""Hostile documents (tests/hostile_corpus.py) against the parser, each in a worker process under
the per-document budgets, and the budgets' own machinery: the worker pool, child processes that
die with their parent, temporary folders a killed run leaves behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hostile_corpus import HOSTILE_INPUTS, HostileInput, budgeted_pool, parse_named  # noqa: F401 (a fixture)
from test_formats_pdf import wrong_cells
from worker_jobs import crash, hog, nap

from pipeline.grid import TableGrid
from pipeline.limits import GRID_MAX_CELLS, GRID_MAX_SPAN, BudgetExceeded
from pipeline.numbers import read_cell
from pipeline.processes import make_temp_dir, remove_stale_temp
from pipeline.readers import detect_format
from pipeline.report import KIND_NUMBER, KIND_TEXT, STATUS_FAILED, STATUS_OK
from pipeline.workers import IsolatedPool, WorkerFailed


@pytest.mark.parametrize("case", HOSTILE_INPUTS, ids=[c.filename for c in HOSTILE_INPUTS])
def test_hostile_input_is_read_or_fails_naming_its_budget(
    case: HostileInput,
    budgeted_pool: IsolatedPool,  # noqa: F811
) -> None:
    data, truth = case.build()
    report = budgeted_pool.call(
        parse_named, data, case.filename
    )  # WorkerFailed (a test failure) on a runaway
    if case.expect == "ok":
        assert report.status == STATUS_OK, (report.error, report.warnings)
        assert truth is not None and wrong_cells(report, truth) == []
    else:
        assert report.status == STATUS_FAILED
        assert case.expect in (report.error or ""), report.error
        assert "\n" not in (report.error or "")  # one line


def test_a_long_run_of_digits_is_text_not_a_crash() -> None:
    assert read_cell("9" * 5000).kind == KIND_TEXT
    assert read_cell("1 " * 4500).kind == KIND_TEXT
    assert read_cell("1,234,567").value == 1234567 and read_cell("1,234,567").kind == KIND_NUMBER


def test_grid_spans_are_clamped_and_cells_budgeted_before_the_grid_is_built() -> None:
    wide = TableGrid.from_spans([[("a", 1, 10**9)], [("b", 1, 1)]])
    assert len(wide.rows[0]) == GRID_MAX_SPAN
    with pytest.raises(BudgetExceeded, match="GRID_MAX_CELLS"):
        TableGrid.from_spans([[("a", GRID_MAX_SPAN, GRID_MAX_SPAN)]])
    side = int(GRID_MAX_CELLS**0.5)
    assert len(TableGrid.from_spans([[("a", side, side)]]).rows) == side  # just within the budget


def test_a_stray_nul_is_text_and_binary_stays_binary() -> None:
    page = b"<html><head><title>t</title></head><body>" + b"\x00" + b"<p>x</p>" * 50 + b"</body></html>"
    assert detect_format(page) == "html"
    assert detect_format(bytes(range(256)) * 8) == "binary"


# --- the worker pool ------------------------------------------------------------------------------


def test_a_worker_over_its_budgets_is_killed_and_the_rest_goes_on() -> None:
    with IsolatedPool(2, seconds=1.0, memory_bytes=512 * 1024**2, preload=()) as small:
        results = list(small.map(nap, [0.0, 30.0, 0.0]))
        assert results[0] == 0.0 and results[2] == 0.0
        assert isinstance(results[1], WorkerFailed) and results[1].name == "parse_timeout"
        over = list(small.map(hog, [10, 4 * 1024**3, 10]))
        assert over[0] == over[2] == 10
        assert isinstance(over[1], WorkerFailed) and over[1].name == "parse_memory"
        with pytest.raises(WorkerFailed, match="parse_crashed: RuntimeError: first line"):
            small.call(crash, "first line\nsecond line")
        assert small.call(nap, 0.0) == 0.0  # replaced workers serve on


# --- processes that outlive nothing -------------------------------------------------------------

_ORPHAN = """
import os, sys, time
sys.path.insert(0, {root!r})
from pipeline.processes import die_with_parent
pid = os.fork()
if pid == 0:
    die_with_parent()
    print(os.getpid(), flush=True)  # armed: only now may the test kill the parent
    time.sleep(120)
    os._exit(0)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" in status.read_text()


def test_a_child_dies_with_its_parent_even_when_the_parent_is_killed() -> None:
    root = str(Path(__file__).resolve().parent.parent)
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN.format(root=root)], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert not _gone(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):  # the kernel signals at once; allow the scheduler up to 10 s
        if _gone(child):
            break
        time.sleep(0.1)
    assert _gone(child)


def test_temporary_folders_of_a_dead_owner_are_removed_by_the_next_run(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    stale = tmp_path / "nianbao-lo-stale"
    (stale / "profile").mkdir(parents=True)
    (stale / ".owner-pid").write_text(dead.stdout.decode().strip(), encoding="ascii")
    live = tmp_path / "nianbao-lo-live"
    live.mkdir()
    (live / ".owner-pid").write_text(str(os.getpid()), encoding="ascii")
    foreign = tmp_path / "nianbao-bench-x"  # not made by make_temp_dir: left alone
    foreign.mkdir()
    assert remove_stale_temp(tmp_path) == [stale]
    assert live.exists() and foreign.exists()


def test_make_temp_dir_names_its_owner() -> None:
    made = make_temp_dir("test")
    try:
        assert made.parent == Path(tempfile.gettempdir()) and made.name.startswith("nianbao-test-")
        assert (made / ".owner-pid").read_text(encoding="ascii") == str(os.getpid())
    finally:
        for path in made.iterdir():
            path.unlink()
        made.rmdir()
