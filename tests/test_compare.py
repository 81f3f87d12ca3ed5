"""`nianbao compare`: two years of one agency, changed cells worked out from the ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_datasets import FINANCE, Built

from pipeline.cli import main as cli_main
from pipeline.render import GroundTruth


def finance_truths(built: Built) -> dict[int, GroundTruth]:
    return {gt.year: gt for url, gt in built.truths.items() if FINANCE.host in url}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main(["compare", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_changed_cells_are_those_the_truth_changes(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    truths = finance_truths(built)
    before, after = truths[2022], truths[2023]
    expected = {
        key
        for key in after.values
        if (before.expected_kind(key), before.expected_value(key))
        != (after.expected_kind(key), after.expected_value(key))
    }
    code, out, err = run(capsys, "230804-dept-czj", "--out", str(built.out), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["before"]["year"], result["after"]["year"]) == (2022, 2023)
    assert result["n_compared"] == len(after.values)
    assert {(c["section"], c["item"], c["column"]) for c in result["changed"]} == expected
    for cell in result["changed"]:
        key = (cell["section"], cell["item"], cell["column"])
        x, y = before.expected_value(key), after.expected_value(key)
        if x is not None and y is not None:
            assert cell["change"] == pytest.approx(float(y) - float(x))
    timeliness = [f for f in result["failed"] if f["name"] == "timeliness"]
    late = {gt.year for gt in truths.values() if gt.published_date > f"{gt.year + 1}-01-31"}
    assert {f["year"] for f in timeliness} == late


def test_a_name_finds_the_agency_and_prints_a_table(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "前进区财政局", "--out", str(built.out), "--years", "2023", "2022")
    assert code == 0
    assert out.startswith("佳木斯市前进区财政局 (230804-dept-czj)")
    assert "changed cells:" in out and "failed checks:" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-agency"], "unknown agency 'no-such-agency'"),
        (["230804-dept-czj", "--years", "2019", "2023"], "has no report for 2019 (it has 2022, 2023)"),
        (["230804-dept-czj", "--years", "2023", "2023"], "two different years"),
        (["佳木斯市"], "matches 3 agencies"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    built: Built, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, "--out", str(built.out))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_no_datasets_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "x", "--out", str(tmp_path))
    assert code == 2 and "no datasets" in err
