"""Every benchmark at a small size, one after the other: `make bench`.

    .venv/bin/python bench/run_all.py [--only crawl,parse] [--keep DIR]

Each benchmark runs in its own process with the arguments below (small: minutes in all, not
hours); its figures are printed as it prints them, then a table of what ran, how long it took
and the command that reproduces it. The full-size figures come from running a benchmark alone
with its defaults (see each file's docstring). Exit status: non-zero if any benchmark failed.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

# bench_<name>.py -> its small-size arguments; {work} is a scratch folder shared by the run (the
# datasets benchmark leaves there the archive the grep benchmark searches, so order matters).
SMALL: dict[str, list[str]] = {
    "parse": ["--n", "10"],
    "formats": ["--n", "2", "--scans", "1"],
    "crawl": ["--reports", "60", "--out", "{work}/crawl"],
    "distributed": ["--reports", "60", "--workers", "1,2", "--columns", "100"],
    "datasets": ["--agencies", "60", "--years", "2", "--work", "{work}/datasets"],
    "grep": ["--agencies", "60", "--years", "2", "--work", "{work}/datasets"],
    "panel": ["--agencies", "60", "--years", "2", "--work", "{work}/datasets"],
    "runreport": ["--sites", "500", "--runs", "10", "--documents", "200"],
    "ocr_cache": ["--n", "1"],
    "hostile": [],
}


def benchmarks() -> list[str]:
    """The bench_*.py files, in the order of SMALL (new ones must be added there: a test checks)."""
    found = {path.stem.removeprefix("bench_") for path in BENCH.glob("bench_*.py")}
    return [name for name in SMALL if name in found] + sorted(found - set(SMALL))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--keep", type=Path, help="scratch folder to keep (default: a temporary one)")
    args = parser.parse_args()
    names = benchmarks()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(names)})")
        names = [n for n in names if n in wanted]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        results = [run(name, work) for name in names]
    print("\n== summary (small sizes; full size: run a benchmark alone with its defaults)")
    width = max(len(name) for name, *_ in results)
    for name, status, seconds, command in results:
        outcome = "ok" if status == 0 else f"FAILED ({status})"
        print(f"{name:<{width}}  {outcome:<12} {seconds:7.1f} s  {command}")
    return 1 if any(status != 0 for _, status, _, _ in results) else 0


def run(name: str, work: Path) -> tuple[str, int, float, str]:
    arguments = [a.format(work=work) for a in SMALL.get(name, [])]
    command = [sys.executable, str(BENCH / f"bench_{name}.py"), *arguments]
    shown = shlex.join([".venv/bin/python", f"bench/bench_{name}.py", *arguments])
    print(f"\n== {name}: {shown}", flush=True)
    start = time.perf_counter()
    status = subprocess.run(command, cwd=REPO, check=False).returncode
    return name, status, time.perf_counter() - start, shown


if __name__ == "__main__":
    sys.exit(main())
