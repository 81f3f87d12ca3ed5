"""Headless Chromium for tests: Debian's `chromium` (the Makefile installs it), loopback only.

from browser import dump_dom, requires_chromium

@requires_chromium
def test_page(tmp_path): html = dump_dom("http://127.0.0.1:8001/", tmp_path)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Every host name but the loopback fails to resolve: a page cannot reach the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)
TIMEOUT_SECONDS = 120  # a guard against a hung browser, not a speed expectation


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


requires_chromium = pytest.mark.skipif(
    chromium() is None, reason="chromium is not installed (make setup installs it)"
)


def dump_dom(url: str, workdir: Path) -> str:
    """The DOM of `url` after Chromium has loaded it and run its scripts, as HTML."""
    binary = chromium()
    assert binary, "use @requires_chromium"
    profile = workdir / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    return result.stdout.decode("utf-8", "replace")
