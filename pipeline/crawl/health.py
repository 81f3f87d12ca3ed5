"""Site health: how each site fared tonight, what changed since last night, and who is told.

A site is "failed" when not one of its list pages could be read (unreachable, refused, a challenge
on the start page, a TLS error, a redirect away); "degraded" when it was read but shows a signal
that it changed under us; "ok" otherwise. A transition between nights is a health change: the run
summary lists them and the alert hook receives them as JSON on stdin.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipeline.crawl.state import SiteHealth, StateStore

logger = logging.getLogger("nianbao.health")

STATUS_OK, STATUS_DEGRADED, STATUS_FAILED = "ok", "degraded", "failed"
# Worst first: the order of `nianbao health` and of the run report's site table.
STATUS_ORDER = {STATUS_FAILED: 0, STATUS_DEGRADED: 1, STATUS_OK: 2}

# Named errors (the run summary's) that say a site changed under us, and what each means.
SIGNALS = {
    "site_yields_none": "the column yielded reports before and now lists none",
    "list_stopped_matching": "list pages whose links no longer match (a redesign?)",
    "challenge": "an anti-bot challenge page instead of content",
    "tls_error": "TLS handshake or certificate errors",
    "redirect_offsite": "a redirect to another host",
}

ALERT_ENV = "NIANBAO_ALERT_CMD"
ALERT_TIMEOUT = 120  # seconds an alert command may take before it is abandoned


def assess(row: dict[str, Any]) -> tuple[str, list[str]]:
    """(status, signals) of one site from its run-summary row."""
    signals = sorted(name for name in row["errors"] if name in SIGNALS)
    if row["list_pages"] == 0:
        return STATUS_FAILED, signals
    return (STATUS_DEGRADED if signals else STATUS_OK), signals


def update_health(
    state: StateStore, site_id: str, row: dict[str, Any], run_id: str, now: str, evidence: str
) -> dict[str, Any] | None:
    """Record tonight's health of a site; returns the health change: its status got worse
    ("degraded") or better ("recovered"), or it stayed bad with other signals ("changed").

    `evidence` is a report URL found tonight ("" if none): an ok night with one verifies the site."""
    status, signals = assess(row)
    before = state.get_health(site_id)
    health = SiteHealth(site_id, status, signals, run_id, now)
    if before is not None:
        health.last_success = before.last_success
        health.consecutive_failures = before.consecutive_failures
        health.verified, health.verified_at, health.evidence = (
            before.verified,
            before.verified_at,
            before.evidence,
        )
    if status == STATUS_OK:
        health.last_success, health.consecutive_failures = now, 0
        if evidence:
            health.verified, health.verified_at, health.evidence = True, now, evidence
    else:
        health.consecutive_failures += 1
    state.put_health(health)
    previous_status = before.status if before else None
    if previous_status is None and status == STATUS_OK:
        return None
    if previous_status == status:
        if before is None or before.signals == signals or status == STATUS_OK:
            return None
        event = "changed"  # still not ok, but for another reason (a redesign, then a challenge)
    elif previous_status is None or STATUS_ORDER[status] < STATUS_ORDER[previous_status]:
        event = "degraded"
    else:
        event = "recovered"
    return {
        "site_id": site_id,
        "event": event,
        "previous_status": previous_status,
        "errors": row["errors"],
        **{k: v for k, v in asdict(health).items() if k != "site_id"},
        "signal_meanings": {name: SIGNALS[name] for name in signals},
    }


def alert_payload(summary: dict[str, Any], out: Path, **extra: str) -> dict[str, Any]:
    return {
        **extra,
        "run_id": summary["run_id"],
        "out": str(Path(out).resolve()),
        "host": socket.gethostname(),
        "finished_at": summary.get("finished_at"),
        "changes": summary["health_changes"],
        "sites": {
            status: sum(s["status"] == status for s in summary["sites"].values()) for status in STATUS_ORDER
        },
    }


def run_alert_hook(command: str, summary: dict[str, Any], out: Path, **extra: str) -> bool:
    """Run the operator's alert command with the health changes as JSON on stdin. A failing hook is
    an error on stderr, never the end of the run (its report and datasets are already written)."""
    payload = json.dumps(alert_payload(summary, out, **extra), ensure_ascii=False, indent=2)
    try:
        done = subprocess.run(
            command, shell=True, input=payload, text=True, timeout=ALERT_TIMEOUT, capture_output=True
        )
    except subprocess.TimeoutExpired:
        logger.error("alert command timed out after %ss: %s", ALERT_TIMEOUT, command)
        return False
    if done.returncode != 0:
        tail = " ".join(done.stderr.split())[-300:]
        logger.error("alert command failed (exit %s): %s: %s", done.returncode, command, tail)
        return False
    return True
