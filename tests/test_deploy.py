"""deploy/ agrees with the command line it runs: the same command, exit statuses and log file."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import EXIT_DEGRADED, build_parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _setting(unit: str, key: str) -> str:
    found = re.findall(rf"^{key}=(.*)$", unit, re.M)
    assert len(found) == 1, key
    return found[0]


def _nianbao_args(command: str) -> list[str]:
    words = shlex.split(command)
    start = next(i for i, word in enumerate(words) if word.endswith("/bin/nianbao"))
    end = words.index(">>") if ">>" in words else len(words)
    return [w for w in words[start + 1 : end] if not w.startswith("$")]


def test_service_and_cron_run_nightly_into_the_same_folder_and_log() -> None:
    service = (DEPLOY / "nianbao-nightly.service").read_text(encoding="utf-8")
    cron_lines = [
        line
        for line in (DEPLOY / "nianbao.cron").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(cron_lines) == 1
    from_service = build_parser().parse_args(_nianbao_args(_setting(service, "ExecStart")))
    from_cron = build_parser().parse_args(_nianbao_args(cron_lines[0]))
    assert from_service.command == from_cron.command == "nightly"
    assert from_service.out == from_cron.out
    log = _setting(service, "StandardOutput").removeprefix("append:")
    assert _setting(service, "StandardError") == f"append:{log}"
    assert f">> {log} 2>&1" in cron_lines[0]
    rotated = (DEPLOY / "nianbao.logrotate").read_text(encoding="utf-8").split("{")[0].split()[-1]
    assert Path(log).parent == Path(rotated).parent and rotated.endswith("*.log")
    assert str(Path(log).parent) in _setting(service, "ReadWritePaths").split()


def test_only_a_night_that_could_not_run_fails_the_unit() -> None:
    service = (DEPLOY / "nianbao-nightly.service").read_text(encoding="utf-8")
    assert _setting(service, "SuccessExitStatus") == str(EXIT_DEGRADED)
    timer = (DEPLOY / "nianbao-nightly.timer").read_text(encoding="utf-8")
    assert _setting(timer, "Persistent") == "true"


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    units = [
        shutil.copy(DEPLOY / name, tmp_path) for name in ("nianbao-nightly.service", "nianbao-nightly.timer")
    ]
    done = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    # The one complaint expected on a machine where nianbao is not installed under /opt/nianbao.
    problems = [line for line in done.stderr.splitlines() if "is not executable" not in line]
    assert problems == [], done.stderr
