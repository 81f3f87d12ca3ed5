"""Headless Chromium for tests: Debian's `chromium` (the Makefile installs it), loopback only.

from browser import dump_dom, requires_chromium, screenshot

@requires_chromium
def test_page(tmp_path): html = dump_dom("http://127.0.0.1:8001/", tmp_path)
"""

from __future__ import annotations

import os
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
    "--hide-scrollbars",
    # Every host name but the loopback fails to resolve: a page cannot reach the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)
TIMEOUT_SECONDS = 120  # a guard against a hung browser, not a speed expectation


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Outside CI a developer without chromium skips the browser tests; in CI (where `make setup` has
# installed it) a missing browser is a failure, never a silent skip.
requires_chromium = pytest.mark.skipif(
    chromium() is None and not os.environ.get("CI"),
    reason="chromium is not installed (make setup installs it)",
)


def _run(url: str, workdir: Path, *action: str) -> bytes:
    binary = chromium()
    assert binary, "use @requires_chromium"
    profile = workdir / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *action, url],
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    return result.stdout


def dump_dom(url: str, workdir: Path) -> str:
    """The DOM of `url` after Chromium has loaded it and run its scripts, as HTML."""
    return _run(url, workdir, "--dump-dom").decode("utf-8", "replace")


def screenshot(url: str, png: Path, workdir: Path, width: int = 1280, height: int = 4000) -> Path:
    """A PNG of the first `height` pixels of `url` as rendered `width` pixels wide."""
    _run(url, workdir, f"--screenshot={png.resolve()}", f"--window-size={width},{height}")
    assert png.is_file()
    return png
