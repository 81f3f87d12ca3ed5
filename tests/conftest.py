"""Fixtures shared by several test modules."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from test_datasets import Built, make_archive

from pipeline.datasets import build_datasets

# CI draws the same examples on every run, so a red build is reproducible rather than a roll of the
# dice; local runs keep exploring at random (and keep what fails in .hypothesis/).
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One synthetic archive with its datasets and text built, for tests that only read them."""
    result = make_archive(tmp_path_factory.mktemp("built") / "out")
    build_datasets(result.out)
    return result
