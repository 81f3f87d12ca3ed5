"""Fixtures shared by several test modules."""

from __future__ import annotations

import pytest
from test_datasets import Built, make_archive

from pipeline.datasets import build_datasets


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One synthetic archive with its datasets and text built, for tests that only read them."""
    result = make_archive(tmp_path_factory.mktemp("built") / "out")
    build_datasets(result.out)
    return result
