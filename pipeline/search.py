"""`nianbao grep`: search the text archive, and say for every matching line whose report it is.

ripgrep (`rg`) does the searching when installed, with a pure-Python fallback. A full-text index
is deliberately not used: SQLite's FTS5 trigram tokenizer cannot find 2-character words (财政,
不予), and rg over the UTF-8 tree is already fast (see bench/bench_grep.py). Filters narrow the
folders searched, using the path layout (text/YYYY/<agency_id>/) and text/index.tsv.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.datasets.text import HEADER_LINES, read_index

# Folders per rg invocation: far below the kernel's limit on argument length.
_PATHS_PER_CALL = 500


@dataclass(frozen=True)
class Match:
    path: str  # relative to the output folder: text/YYYY/<agency_id>/<report_id>.txt
    line_no: int
    line: str
    year: int
    agency_id: str
    agency_name: str
    url: str


class PatternError(ValueError):
    """A pattern the search engine cannot compile (the user's to fix)."""


def check_pattern(pattern: str, *, fixed: bool = False, engine: str = "auto") -> None:
    """Raise PatternError unless the engine that will search accepts `pattern` (rg's syntax is not
    Python's: `\\p{Han}` is fine for one and not the other)."""
    if fixed:
        return
    if _use_rg(engine):
        done = subprocess.run(["rg", "--quiet", "-e", pattern, "-"], input=b"", capture_output=True)
        if done.returncode == 2:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["rejected by rg"]
            raise PatternError(f"bad regular expression {pattern!r}: {lines[-1].removeprefix('error: ')}")
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise PatternError(f"bad regular expression {pattern!r}: {exc}") from None


def _use_rg(engine: str) -> bool:
    return engine == "rg" or (engine == "auto" and shutil.which("rg") is not None)


def search(
    out: Path,
    pattern: str,
    *,
    year: int | None = None,
    region: str | None = None,
    agency: str | None = None,
    fixed: bool = False,
    ignore_case: bool = False,
    engine: str = "auto",
) -> Iterator[Match]:
    """Lines of the text archive matching `pattern` (a regular expression unless `fixed`).

    `region` is a GB/T 2260 code prefix (`23` a province, `2308` a city); `agency` matches the
    agency's name or id as a substring. `engine` is "rg", "python" or "auto" (rg when installed).
    """
    index = read_index(out / "text")
    folders = _folders(out, index, year, region, agency)
    hits = (
        _rg(folders, pattern, fixed, ignore_case)
        if _use_rg(engine)
        else _python(folders, pattern, fixed, ignore_case)
    )
    for path, line_no, line in hits:
        if line_no > HEADER_LINES:
            yield _match(out, index, path, line_no, line)


def format_match(match: Match) -> str:
    """One tab-separated line: year, agency, the matching line, its source URL, file:line."""
    line = match.line.strip().replace("\t", " ")
    return f"{match.year}\t{match.agency_name}\t{line}\t{match.url}\t{match.path}:{match.line_no}"


def _folders(
    out: Path, index: dict[str, dict[str, str]], year: int | None, region: str | None, agency: str | None
) -> list[Path]:
    """The folders to search: the year's, or only those of the agencies the filters select."""
    root = out / "text" if year is None else out / "text" / str(year)
    if region is None and agency is None:
        return [root] if root.is_dir() else []
    picked = {
        (entry["year"], entry["agency_id"])
        for entry in index.values()
        if (year is None or entry["year"] == str(year))
        and (region is None or entry["region_code"].startswith(region))
        and (agency is None or agency in entry["agency_name"] or agency in entry["agency_id"])
    }
    return [out / "text" / y / a for y, a in sorted(picked)]


def _rg(folders: list[Path], pattern: str, fixed: bool, ignore_case: bool) -> Iterator[tuple[Path, int, str]]:
    flags = ["--no-heading", "--line-number", "--null", "--color=never", "--no-messages", "--glob=*.txt"]
    flags += ["--fixed-strings"] * fixed + ["--ignore-case"] * ignore_case
    for start in range(0, len(folders), _PATHS_PER_CALL):
        chunk = [str(f) for f in folders[start : start + _PATHS_PER_CALL]]
        with subprocess.Popen(["rg", *flags, "-e", pattern, "--", *chunk], stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            for raw in proc.stdout:
                # --null: "path\0line_no:text" — safe whatever the path or the text contains.
                path, _, rest = raw.decode("utf-8", "replace").rstrip("\n").partition("\0")
                line_no, _, line = rest.partition(":")
                yield Path(path), int(line_no), line
        if proc.returncode not in (0, 1):  # 1 means no match
            raise RuntimeError(f"rg failed (exit {proc.returncode}) on pattern {pattern!r}")


def _python(
    folders: list[Path], pattern: str, fixed: bool, ignore_case: bool
) -> Iterator[tuple[Path, int, str]]:
    regex = re.compile(re.escape(pattern) if fixed else pattern, re.IGNORECASE if ignore_case else 0)
    for path in _text_files(folders):
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line_no, line in enumerate(fh, 1):
                if regex.search(line):
                    yield path, line_no, line.rstrip("\n")


def _text_files(folders: Iterable[Path]) -> Iterator[Path]:
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            yield from (Path(dirpath) / name for name in sorted(filenames) if name.endswith(".txt"))


def _match(out: Path, index: dict[str, dict[str, str]], path: Path, line_no: int, line: str) -> Match:
    relative = path.relative_to(out).as_posix()
    entry = index.get(relative)
    _, year, agency_id, _ = relative.split("/", 3)  # text/YYYY/<agency_id>/<report_id>.txt
    return Match(
        path=relative,
        line_no=line_no,
        line=line,
        year=int(year),
        agency_id=agency_id,
        agency_name=entry["agency_name"] if entry else agency_id,
        url=entry["url"] if entry else "",
    )
