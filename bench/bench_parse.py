"""Parse benchmark: documents per second on one core, peak memory and cell accuracy per format.

    .venv/bin/python bench/bench_parse.py [--n 200]

Each format runs in its own fresh process (so peak RSS is that format's alone), over documents
rendered beforehand from random ground truths; only `parse_report` is timed, in CPU time of the
process (time.process_time), so that other load on a shared machine does not count.
Targets (issue 8): >= 150 reports/s for every HTML variant and >= 80 DOCX reports/s, 100% of cells right.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.render import GroundTruth

FORMATS = ("text", "html-canonical", "html-word", "html-portal", "docx", "xlsx")


def render(fmt: str, seed: int) -> tuple[GroundTruth, bytes]:
    from pipeline.render import random_ground_truth, render_docx, render_html, render_text, render_xlsx

    gt = random_ground_truth(
        random.Random(seed), template="2019" if seed % 5 == 0 else "2021", blank_legal_person=seed % 3 == 0
    )
    rng = random.Random(seed)
    if fmt == "text":
        return gt, render_text(gt, rng=rng)
    if fmt == "docx":
        return gt, render_docx(gt, rng=rng)
    if fmt == "xlsx":
        return gt, render_xlsx(gt, rng=rng)
    return gt, render_html(gt, style=fmt.split("-", 1)[1], rng=rng)


def run_format(fmt: str, n: int) -> dict[str, float]:
    from pipeline.parse import parse_report

    docs = [render(fmt, seed) for seed in range(n)]
    parse_report(docs[0][1], filename=fmt)  # untimed: one-off loading (codebooks, lazy imports)
    start = time.process_time()
    reports = [parse_report(data, filename=fmt) for _, data in docs]
    elapsed = time.process_time() - start
    right = total = 0
    for (gt, _), report in zip(docs, reports, strict=True):
        facts = {f.key: f for f in report.facts}
        for key in gt.published:
            total += 1
            fact = facts.get(key)
            right += (
                fact is not None
                and fact.kind == gt.expected_kind(key)
                and fact.value == gt.expected_value(key)
            )
    return {
        "docs_per_s": n / elapsed,
        "ms_per_doc": 1000 * elapsed / n,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "accuracy": right / total,
        "cells": total,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="documents per format")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    print(
        f"parse benchmark: {args.n} generated documents per format, one core, one process per format;"
        " docs/s and ms/doc in CPU time (process_time)"
    )
    print(f"{'format':<16}{'docs/s':>10}{'ms/doc':>10}{'peak RSS MB':>14}{'cells':>10}{'accuracy':>10}")
    for fmt in FORMATS:
        with ctx.Pool(1) as pool:
            r = pool.apply(run_format, (fmt, args.n))
        print(
            f"{fmt:<16}{r['docs_per_s']:>10.1f}{r['ms_per_doc']:>10.2f}{r['peak_rss_mb']:>14.0f}"
            f"{int(r['cells']):>10}{r['accuracy']:>10.2%}"
        )
    print(f"reproduce: .venv/bin/python bench/bench_parse.py --n {args.n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
