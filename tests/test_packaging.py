"""Installed outside the repository, nianbao still has its registry and its data.

The project is installed (`pip install --target`, no network: no build isolation, no index) from
a copy of what a source distribution holds, and `nianbao` runs from a folder that is not the
repository, with nothing of the repository on its path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.registry import DEFAULT_REGISTRY, load_registry

REPO = Path(__file__).resolve().parent.parent


def test_installed_package_ships_the_registry_and_runs_outside_the_repository(tmp_path: Path) -> None:
    source, target, elsewhere = tmp_path / "src", tmp_path / "installed", tmp_path / "elsewhere"
    source.mkdir()
    elsewhere.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("pipeline", "spiders"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    install = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
    ]
    done = subprocess.run(
        [*install, "--target", str(target), str(source)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (target / "pipeline" / "data" / "sites.yaml").is_file()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import pipeline; print(pipeline.__file__)"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert where.stdout.strip() == str(target / "pipeline" / "__init__.py")
    nianbao = str(target / "bin" / "nianbao")
    checked = subprocess.run(
        [nianbao, "sites", "check"], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"ok: {len(load_registry(DEFAULT_REGISTRY))} sites\n"
    listed = subprocess.run([nianbao, "sites"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert listed.returncode == 0 and listed.stdout.splitlines()[0].startswith("id ")
    version = subprocess.run([nianbao, "--version"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert version.stdout.startswith("nianbao ")
