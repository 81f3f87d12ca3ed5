"""Benchmark: `nianbao grep` over the text archive of 15,000 reports, against plain `grep -r` and `rg`.

    .venv/bin/python bench/bench_grep.py                  # 3,000 agencies × 5 years = 15,000 files
    .venv/bin/python bench/bench_grep.py --agencies 300   # a quick look

Uses the archive bench_datasets.py leaves in --work (built here if absent). Every command runs
three times on a warm page cache; the best time is shown, with the number of matching lines.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench_datasets import FIRST_YEAR, make_archive
from common import synthetic_arguments

from pipeline.datasets import build_datasets
from pipeline.datasets.text import HEADER_LINES, read_index

NIANBAO = [sys.executable, "-m", "pipeline.cli"]
# A 2-character word in one report in 21 (the 财政局's), a phrase in every report, a place in a few.
PATTERNS = ("财政", "不予公开", "东城区")


def best_of_three(command: list[str]) -> tuple[float, int]:
    times, lines = [], 0
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        lines = done.stdout.count(b"\n")
    return min(times), lines


def commands(out: Path, pattern: str, year: int) -> dict[str, list[str]]:
    text = str(out / "text")
    grep = [*NIANBAO, "grep", pattern, "--out", str(out)]
    return {
        "grep -r": ["grep", "-r", pattern, text],
        "rg": ["rg", "--no-heading", pattern, text],
        "nianbao grep": grep,
        "nianbao grep (python engine)": [*grep, "--engine", "python"],
        f"nianbao grep --year {year}": [*grep, "--year", str(year)],
        "nianbao grep --region 23": [*grep, "--region", "23"],
        f"grep -r, {year} folder only": ["grep", "-r", pattern, str(out / "text" / str(year))],
    }


def main() -> int:
    args = synthetic_arguments(__doc__.splitlines()[0])
    out = args.work / "archive"
    if make_archive(out, args.agencies, args.years) or not (out / "text").is_dir():
        print(f"building {args.agencies * args.years} reports in {out} …", flush=True)
        build_datasets(out)
    files = len(read_index(out / "text"))
    year = FIRST_YEAR + args.years - 1
    print(f"{files:,} text files in {out / 'text'}\n")
    print(f"{'pattern':<10}{'command':<32}{'seconds':>9}{'lines':>9}")
    for pattern in PATTERNS:
        for label, command in commands(out, pattern, year).items():
            seconds, lines = best_of_three(command)
            print(f"{pattern:<10}{label:<32}{seconds:>9.2f}{lines:>9}", flush=True)
    print(
        f"\nnianbao grep skips each file's {HEADER_LINES}-line header (grep -r counts its agency names too)."
    )
    reproduce = f".venv/bin/python bench/bench_grep.py --agencies {args.agencies} --years {args.years}"
    print(f"reproduce: {reproduce}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
