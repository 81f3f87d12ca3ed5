"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from test_datasets import Built, make_archive

from pipeline.cache import CACHE_ENV
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


@pytest.fixture(scope="session", autouse=True)
def parser_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The parser's cache (conversions, OCR reads) in a folder of the session, never in ~/.cache."""
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("nianbao-cache"))
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous
