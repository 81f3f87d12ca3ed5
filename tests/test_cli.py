"""Every command's manners: one-line errors with the contract's exit statuses, never a traceback for a
user's mistake, nothing created by a command that fails, --version, -v/-q, `--site a b`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import (
    EXIT_DEGRADED,
    EXIT_NOTHING_CRAWLED,
    EXIT_OK,
    EXIT_USAGE,
    build_parser,
    main,
    package_version,
    show_progress,
)
from pipeline.commands.crawl import exit_status
from pipeline.lock import LOCK_NAME, OutputLock

REPO = Path(__file__).resolve().parent.parent
REGISTRY = """
- {id: a, agency: 甲市人民政府, start_urls: ['http://www.a.gov.cn/nb/']}
- {id: b, agency: 乙市人民政府, start_urls: ['http://www.b.gov.cn/nb/']}
- {id: c, agency: 丙市人民政府, start_urls: ['http://www.c.gov.cn/nb/']}
"""


def nianbao(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def one_line_error(done: subprocess.CompletedProcess[str], status: int = EXIT_USAGE) -> str:
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_version() -> None:
    done = nianbao("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"nianbao {package_version()}"


@pytest.mark.parametrize("engine", ["rg", "python"])
def test_grep_with_a_bad_pattern_is_a_one_line_error(tmp_path: Path, engine: str) -> None:
    if engine == "rg" and subprocess.run(["which", "rg"], capture_output=True).returncode != 0:
        pytest.skip("ripgrep not installed")
    (tmp_path / "text").mkdir()
    line = one_line_error(nianbao("grep", "(", "--out", str(tmp_path), "--engine", engine))
    assert line.startswith("nianbao grep: bad regular expression '('")


def test_crawl_set_without_a_value_is_a_one_line_error(tmp_path: Path) -> None:
    line = one_line_error(nianbao("crawl", "--set", "FOO", "--out", str(tmp_path / "out")))
    assert "--set" in line and "NAME=VALUE" in line
    assert not (tmp_path / "out").exists()


def test_crawl_set_of_an_unknown_setting_is_a_one_line_error(tmp_path: Path) -> None:
    line = one_line_error(
        nianbao("crawl", "--set", "AUTOTHROTLE_ENABLED=False", "--out", str(tmp_path / "o"))
    )
    assert "unknown setting 'AUTOTHROTLE_ENABLED' (did you mean AUTOTHROTTLE_ENABLED?)" in line
    args = build_parser().parse_args(["nightly", "--set", "NIANBAO_MAX_HOPS=2", "--set", "LOG_LEVEL=DEBUG"])
    assert args.set == [("NIANBAO_MAX_HOPS", "2"), ("LOG_LEVEL", "DEBUG")]


def test_datasets_on_a_missing_folder_fails_and_creates_nothing(tmp_path: Path) -> None:
    line = one_line_error(nianbao("datasets", "--out", str(tmp_path / "typo")))
    assert "no archive in" in line
    assert not (tmp_path / "typo").exists()


def test_parse_of_a_missing_file_exits_non_zero_after_parsing_the_others(tmp_path: Path) -> None:
    present = tmp_path / "report.txt"
    present.write_bytes("某某区人民政府2023年政府信息公开工作年度报告\n".encode())
    done = nianbao("parse", str(tmp_path / "nope.docx"), str(present))
    assert done.returncode == EXIT_USAGE
    assert f"nianbao parse: {tmp_path / 'nope.docx'}: cannot read file" in done.stderr
    assert f"== {present}" in done.stdout  # the readable file was still parsed


@pytest.mark.parametrize("command", ["crawl", "nightly"])
def test_bad_registry_or_site_id_is_exit_2_and_leaves_out_untouched(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    line = one_line_error(nianbao(command, "--sites", str(tmp_path / "missing.yaml"), "--out", str(out)))
    assert line == f"nianbao {command}: no such registry: {tmp_path / 'missing.yaml'}"
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: Bad\n  agency: x\n  start_urls: [http://www.example.com/]\n", encoding="utf-8")
    line = one_line_error(nianbao(command, "--sites", str(bad), "--out", str(out)))
    assert (
        line.startswith(f"nianbao {command}: bad sites registry: ")
        and "more: run `nianbao sites check`" in line
    )
    good = tmp_path / "sites.yaml"
    good.write_text(REGISTRY, encoding="utf-8")
    line = one_line_error(nianbao(command, "--sites", str(good), "--site", "a", "zz", "--out", str(out)))
    assert line.endswith("no such site in " + str(good) + ": zz")
    assert not out.exists()


def test_site_takes_several_ids_as_the_readme_shows() -> None:
    args = build_parser().parse_args(["crawl", "--site", "a", "b", "--site", "c"])
    assert args.site == ["a", "b", "c"]
    args = build_parser().parse_args(["nightly", "--site", "a", "b"])
    assert args.site == ["a", "b"]


def test_every_command_takes_verbose_and_quiet() -> None:
    parser = build_parser()
    examples = {
        "parse": ["x.docx"],
        "grep": ["财政"],
        "export": ["--format", "csv"],
        "replica": ["serve"],
        "discover": ["http://www.gov.cn/"],
        "compare": ["某区人民政府"],
        "ingest": ["report.pdf"],
    }
    for name in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        rest = examples.get(name, [])
        quiet = parser.parse_args([name, *rest, "-q"])
        assert quiet.quiet is True, name
        verbose = parser.parse_args([name, *rest, "-vv"])
        assert verbose.verbose == 2, name


def test_unknown_command_and_no_command_are_usage_errors() -> None:
    assert one_line_error(nianbao("frobnicate")).startswith("nianbao: argument COMMAND: invalid choice")
    done = nianbao()
    assert done.returncode == EXIT_USAGE and "usage: nianbao" in done.stderr


def test_missing_state_datasets_and_text_are_usage_errors(tmp_path: Path) -> None:
    for args in (["health"], ["export", "--format", "csv"], ["compact"], ["grep", "x"], ["reparse"]):
        line = one_line_error(nianbao(*args, "--out", str(tmp_path / "none")))
        assert line.startswith(f"nianbao {args[0]}: no ")
    assert not (tmp_path / "none").exists()


def test_progress_bars_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser().parse_args(["datasets"])
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert show_progress(args) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert show_progress(args) is True
    assert show_progress(build_parser().parse_args(["datasets", "-q"])) is False


def _summary(*statuses: str, reason: str = "finished") -> dict:
    return {"finish_reason": reason, "sites": {f"s{i}": {"status": s} for i, s in enumerate(statuses)}}


def test_exit_status_of_a_crawl() -> None:
    assert exit_status(_summary("ok", "ok")) == EXIT_OK
    assert exit_status(_summary("ok", "degraded")) == EXIT_DEGRADED
    assert exit_status(_summary("ok", "failed")) == EXIT_DEGRADED
    assert exit_status(_summary("ok", reason="shutdown")) == EXIT_DEGRADED  # cut short (SIGTERM)
    assert exit_status(_summary("failed", "failed")) == EXIT_NOTHING_CRAWLED
    assert exit_status({}) == EXIT_DEGRADED  # the crawl never got to its summary (its last write)


def test_in_process_main_returns_the_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets", "--out", str(tmp_path / "typo")]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith("nianbao datasets: no archive in ")


@pytest.mark.parametrize("command", ["crawl", "nightly", "datasets", "reparse"])
def test_every_writer_of_out_takes_the_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    registry = tmp_path / "sites.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    out = tmp_path / "out"
    (out / "archive").mkdir(parents=True)
    args = [command, "--out", str(out)] + (
        ["--sites", str(registry)] if command in ("crawl", "nightly") else []
    )
    with OutputLock(out, command="nianbao nightly (holder)"):
        assert main(args) == EXIT_USAGE
    held = f"nianbao {command}: {out} is locked by pid {os.getpid()} on {socket.gethostname()} since "
    err = capsys.readouterr().err
    assert err.startswith(held) and err.endswith(" (nianbao nightly (holder))\n") and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, "archive"]  # nothing else written
