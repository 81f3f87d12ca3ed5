"""Site health between nights, the alert hook and the output lock, without crawling."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.crawl.health import assess, run_alert_hook, update_health
from pipeline.crawl.state import StateStore
from pipeline.lock import LOCK_NAME, LockHeld, OutputLock


def row(list_pages: int = 3, reports_found: int = 5, **errors: int) -> dict[str, Any]:
    return {"list_pages": list_pages, "reports_found": reports_found, "errors": errors}


def test_assess_names_failed_degraded_and_ok() -> None:
    assert assess(row()) == ("ok", [])
    assert assess(row(http_404=2)) == ("ok", [])  # a dead link is not a site that changed
    assert assess(row(list_stopped_matching=1)) == ("degraded", ["list_stopped_matching"])
    assert assess(row(0, 0, challenge=1)) == ("failed", ["challenge"])
    assert assess(row(0, 0, fetch_DownloadConnectionRefusedError=1)) == ("failed", [])


def test_health_across_nights(tmp_path: Path) -> None:
    state = StateStore(tmp_path)
    nights = [
        ("n1", row(), "http://www.a.gov.cn/nb/1.html"),
        ("n2", row(0, 0, tls_error=1), ""),
        ("n3", row(0, 0, tls_error=1), ""),
        ("n4", row(site_yields_none=1, reports_found=0), ""),
        ("n5", row(challenge=1), ""),
        ("n6", row(challenge=1), ""),
        ("n7", row(), "http://www.a.gov.cn/nb/2.html"),
    ]
    changes = [update_health(state, "a", r, run, f"t-{run}", evidence) for run, r, evidence in nights]
    events = [(c["event"], c["previous_status"], c["status"]) if c else None for c in changes]
    assert events == [
        None,  # a first night that is ok is no news
        ("degraded", "ok", "failed"),
        None,  # still failed: said once
        ("recovered", "failed", "degraded"),
        ("changed", "degraded", "degraded"),  # another signal: said again
        None,
        ("recovered", "degraded", "ok"),
    ]
    went_down, partly_back = changes[1], changes[3]
    assert went_down is not None and partly_back is not None
    assert went_down["signals"] == ["tls_error"] and went_down["consecutive_failures"] == 1
    assert partly_back["consecutive_failures"] == 3 and partly_back["last_success"] == "t-n1"
    health = state.get_health("a")
    assert health is not None
    assert (health.status, health.consecutive_failures, health.last_success) == ("ok", 0, "t-n7")
    assert (health.verified, health.verified_at, health.evidence) == (
        True,
        "t-n7",
        "http://www.a.gov.cn/nb/2.html",
    )
    first_failure = update_health(state, "b", row(0, 0), "n1", "t", "")
    assert first_failure is not None and first_failure["previous_status"] is None
    state.close()


ALERT = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.stdin.read(), encoding='utf-8')"


def test_alert_hook_gets_the_changes_as_json_on_stdin(tmp_path: Path) -> None:
    summary = {
        "run_id": "r1",
        "finished_at": "t",
        "health_changes": [{"site_id": "a", "event": "degraded"}],
        "sites": {"a": {"status": "failed"}, "b": {"status": "ok"}},
    }
    target = tmp_path / "alert.json"
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(ALERT)} {shlex.quote(str(target))}"
    assert run_alert_hook(command, summary, tmp_path, report="/r.html") is True
    payload = json.loads(target.read_text(encoding="utf-8"))
    assert payload["changes"] == summary["health_changes"]
    assert payload["sites"] == {"failed": 1, "degraded": 0, "ok": 1}
    assert payload["report"] == "/r.html" and payload["run_id"] == "r1"


def test_a_failing_alert_hook_is_logged_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    summary = {"run_id": "r1", "health_changes": [{}], "sites": {}}
    assert run_alert_hook("echo nope >&2; exit 7", summary, tmp_path) is False
    assert "alert command failed (exit 7)" in caplog.text and "nope" in caplog.text


def test_lock_is_exclusive_names_its_holder_and_is_released(tmp_path: Path) -> None:
    held = rf"locked by pid {os.getpid()} on .* \(nianbao nightly --out x\)"
    with OutputLock(tmp_path, command="nianbao nightly --out x"), pytest.raises(LockHeld, match=held):
        OutputLock(tmp_path).acquire()
    with OutputLock(tmp_path) as again:  # released: free again
        assert again.previous is None


def test_a_dead_holders_lock_is_taken_over(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": int(dead.stdout), "host": "h"}), encoding="utf-8")
    with OutputLock(tmp_path) as lock:
        assert lock.previous == {"pid": int(dead.stdout), "host": "h"}
        assert json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))["pid"] == os.getpid()


def test_shared_holders_exclude_an_exclusive_one_and_the_reverse(tmp_path: Path) -> None:
    held = pytest.raises(LockHeld, match=r"\(worker 2\) \(among other workers\)")
    with OutputLock(tmp_path, shared=True), OutputLock(tmp_path, "worker 2", shared=True), held:
        OutputLock(tmp_path).acquire()
    with OutputLock(tmp_path), pytest.raises(LockHeld):
        OutputLock(tmp_path, shared=True).acquire()
    assert (tmp_path / LOCK_NAME).read_text(encoding="utf-8") == ""
