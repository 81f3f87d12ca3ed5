"""docs/example_analysis.py: pandas and DuckDB read the same numbers from the datasets."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from test_datasets import Built, make_archive

from pipeline.datasets import build_datasets

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "example_analysis.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_analysis", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pandas_and_duckdb_agree_on_requests_by_outcome(tmp_path: Path) -> None:
    built: Built = make_archive(tmp_path / "out")
    build_datasets(built.out)
    example = load_script()
    table = example.with_pandas(built.out)
    assert list(table.index) == [2020, 2022, 2023]
    assert list(table.columns) == list(example.OUTCOMES)
    assert table.to_numpy().sum() > 0
    duck = example.with_duckdb(built.out)
    assert (duck.to_numpy() == table.to_numpy()).all()
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is in the research extra")
    example.draw(table, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
