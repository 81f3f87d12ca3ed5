"""OCR once: the re-parse time of scanned reports without the OCR cache (every page recognised again,
what `nianbao reparse` cost before) and with it (the recogniser's reads taken from the cache).

    .venv/bin/python bench/bench_ocr_cache.py [--n 5]        # a few minutes
    .venv/bin/python bench/bench_ocr_cache.py --n 100        # the issue's figure (an hour or more)

Each report is drawn by the ground-truth generator (2021 and 2019 alternating), written as a
WPS-style PDF (pipeline/render/pdf_writer.py), rasterised at 150 dpi into an image-only PDF (a
scan). In one process pinned to one core, each scan is parsed with an empty cache (OCR runs and
fills it) and parsed again (the reads come from the cache); the reports must be identical.
Target (issue 8): the cached re-parse at least 20 times faster. Progress is printed per report,
so an interrupted run still gives its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "bench" / "out" / "ocr_cache.json"


def scan(seed: int) -> bytes:
    from test_formats_corpus import image_pdf, page_images

    from pipeline.render import random_ground_truth
    from pipeline.render.pages import layout_report
    from pipeline.render.pdf_writer import write_pdf

    gt = random_ground_truth(random.Random(5000 + seed), template="2019" if seed % 2 else "2021")
    return image_pdf(page_images(write_pdf(layout_report(gt))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5, help="scanned reports (each costs its OCR once)")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["NIANBAO_CACHE"] = tempfile.mkdtemp(prefix="nianbao-bench-ocr-")
    from pipeline.parse import parse_report

    uncached = cached = 0.0
    pages = 0
    ratios: list[float] = []
    for seed in range(args.n):
        data = scan(seed)
        start = time.perf_counter()
        first = parse_report(data, "scan.pdf")
        middle = time.perf_counter()
        second = parse_report(data, "scan.pdf")
        end = time.perf_counter()
        if second.to_record() != first.to_record():
            print(f"report {seed}: the cached re-parse differs", file=sys.stderr)
            return 1
        pages += len(first.metadata.get("ocr_pages", "").split(","))
        uncached += middle - start
        cached += end - middle
        without, with_cache = middle - start, end - middle
        ratios.append(without / with_cache)
        print(f"report {seed + 1}/{args.n}: {without:6.2f} s without the cache, {with_cache:5.2f} s with it")
    figures = {
        "reports": args.n,
        "scanned_pages": pages,
        "reparse_s_without_cache": round(uncached, 2),
        "reparse_s_with_cache": round(cached, 2),
        "speedup": round(uncached / cached, 1),
        # Per report, robust to a re-parse that ran while the machine was busy.
        "median_speedup_per_report": round(statistics.median(ratios), 1),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"re-parse of {args.n} scanned reports ({pages} pages), one core: {uncached:.1f} s without the "
        f"OCR cache, {cached:.1f} s with it: {uncached / cached:.1f}x faster (target >= 20x); "
        f"median per report {statistics.median(ratios):.1f}x"
    )
    print(f"written {OUT}; reproduce: .venv/bin/python bench/bench_ocr_cache.py --n {args.n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
