"""Format benchmark: documents/s on one core, peak memory and cell accuracy per published format.

    .venv/bin/python bench/bench_formats.py [--n 20] [--scans 6] [--tesseract]

Reports drawn by the ground-truth generator (2021 and 2019 templates, alternating) are rendered to
DOCX and converted by LibreOffice into a text PDF, a Word 97 .doc and an .xls (from the XLSX);
the PDF is rasterised at 150 dpi into image-only PDFs, clean and degraded (skew up to 1°, blur,
noise, JPEG), and into page pictures shown in an HTML page. Every cell is compared.

Each format runs in its own fresh process pinned to one core, so peak RSS is that format's alone;
only `parse_report` is timed (for .doc that includes its LibreOffice conversion, uncached). For
the scanned formats it also counts the wrong cells that carry no low-confidence flag: the target
is none. `--tesseract` runs the degraded scans again with Debian's tesseract (chi_sim, when installed)
in place of rapidocr's recogniser, same lattice, for the comparison in docs/templates.md.

Targets (issue 5): text PDF >= 5 reports/s with 100% of cells; scans >= 98% of cells right and
every wrong cell flagged.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from pipeline.render import GroundTruth
    from pipeline.report import Report

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

FORMATS = ("pdf", "doc", "xls", "scan-clean", "scan-degraded", "html-images")
SCANNED = ("scan-clean", "scan-degraded", "html-images", "scan-tesseract")
URL = "http://www.example.gov.cn/zwgk/xxgknb/report.html"


def build(fmt: str, seed: int, cache: str) -> tuple[GroundTruth, bytes, dict[str, bytes] | None]:
    """(ground truth, document bytes, pictures of an HTML page) of one generated report."""
    os.environ["NIANBAO_CACHE"] = cache
    from test_formats_corpus import docx_of, ground_truth, image_pdf, page_images, png, to_pdf, to_xls

    gt = ground_truth(1000 + seed, "2019" if seed % 2 else "2021")
    if fmt == "xls":
        return gt, to_xls(gt), None
    docx = docx_of(gt)
    if fmt == "doc":
        from test_formats_corpus import to_doc

        return gt, to_doc(docx), None
    pdf = to_pdf(docx)
    if fmt == "pdf":
        return gt, pdf, None
    if fmt == "html-images":
        pages = page_images(pdf, dpi=110)
        images = {f"http://www.example.gov.cn/upload/{n}.png": png(p) for n, p in enumerate(pages)}
        body = "".join(f'<p><img src="/upload/{n}.png"/></p>' for n in range(len(pages)))
        page = f"<html><head><meta charset='utf-8'><title>{gt.title}</title></head><body>{body}</body></html>"
        return gt, page.encode(), images
    return gt, image_pdf(page_images(pdf, degrade=fmt != "scan-clean", seed=seed)), None


def cell_counts(gt: GroundTruth, report: Report) -> dict[str, int]:
    from pipeline.ocr_evidence import low_confidence

    facts = {f.key: f for f in report.facts}
    counts = {"cells": 0, "right": 0, "wrong_unflagged": 0, "flagged": 0}
    for key in gt.published:
        fact = facts.get(key)
        right = fact is not None and (fact.kind, fact.value) == (
            gt.expected_kind(key),
            gt.expected_value(key),
        )
        flagged = fact is not None and low_confidence(fact)
        counts["cells"] += 1
        counts["right"] += right
        counts["flagged"] += flagged
        counts["wrong_unflagged"] += not right and not flagged
    return counts


def run_format(fmt: str, n: int, cache: str) -> dict[str, float]:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    os.environ["OMP_NUM_THREADS"] = "1"
    docs = [build("scan-degraded" if fmt == "scan-tesseract" else fmt, seed, cache) for seed in range(n)]
    # An empty cache: conversions and OCR are timed, not read back from an earlier run.
    os.environ["NIANBAO_CACHE"] = tempfile.mkdtemp(prefix="nianbao-bench-")
    if fmt == "scan-tesseract":
        use_tesseract()
    from pipeline.parse import parse_report

    start = time.perf_counter()
    reports = [parse_report(data, filename=fmt, url=URL, images=images) for _, data, images in docs]
    elapsed = time.perf_counter() - start
    totals: dict[str, float] = {"cells": 0, "right": 0, "wrong_unflagged": 0, "flagged": 0}
    for (gt, _, _), report in zip(docs, reports, strict=True):
        for name, value in cell_counts(gt, report).items():
            totals[name] += value
    return {
        **totals,
        "docs": n,
        "docs_per_s": n / elapsed,
        "s_per_doc": elapsed / n,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "accuracy": totals["right"] / totals["cells"],
    }


def use_tesseract() -> None:
    """Swap rapidocr's character reads for tesseract's word boxes (chi_sim, --psm 6)."""
    import subprocess

    from PIL import Image

    import pipeline.readers.ocr as ocr
    from pipeline.readers.geometry import Ink

    def read_chars(image: np.ndarray) -> tuple[list[Ink], list[tuple[float, float, float, float]]]:
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            Image.fromarray(image).save(f.name)
            tsv = subprocess.run(
                ["tesseract", f.name, "-", "-l", "chi_sim", "--psm", "6", "tsv"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        inks = []
        for line in tsv.splitlines()[1:]:
            parts = line.split("\t")
            # Tesseract reads table borders as "|" and "_": they are not text.
            if len(parts) == 12 and parts[0] == "5" and parts[11].strip(" |丨_—-~'"):
                left, top, width, height = map(float, parts[6:10])
                conf = max(0.0, float(parts[10])) / 100
                inks.append(Ink(parts[11].strip(), left, top, left + width, top + height, conf))
        return inks, [(i.x0, i.top, i.x1, i.bottom) for i in inks]

    ocr._read_chars = read_chars
    # its own OCR cache entries; a plain function stands in for the cached one (mypy: assignment)
    ocr.model_version = lambda: "tesseract chi_sim psm 6"  # type: ignore[assignment]
    ocr._unread_cells = lambda *args: []  # no second read by rapidocr: tesseract alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="documents per born-digital format")
    parser.add_argument("--scans", type=int, default=6, help="documents per scanned format (OCR: slow)")
    parser.add_argument("--tesseract", action="store_true", help="also run the degraded scans with tesseract")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated subset")
    args = parser.parse_args()
    formats = args.formats.split(",")
    if args.tesseract and shutil.which("tesseract"):
        formats.append("scan-tesseract")
    elif args.tesseract:
        print("tesseract is not installed (apt-get install tesseract-ocr-chi-sim): comparison skipped")
    cache = tempfile.mkdtemp(prefix="nianbao-bench-convert-")
    ctx = multiprocessing.get_context("spawn")
    print(f"format benchmark: {args.n} documents per text format, {args.scans} per scanned format, one core")
    print(
        f"{'format':<16}{'docs':>6}{'docs/s':>9}{'s/doc':>8}{'peak MB':>9}{'cells':>8}{'accuracy':>10}"
        f"{'unflagged':>11}{'flagged':>9}"
    )
    results = {}
    for fmt in formats:
        n = args.scans if fmt in SCANNED else args.n
        with ctx.Pool(1) as pool:
            r = pool.apply(run_format, (fmt, n, cache))
        results[fmt] = r
        unflagged = f"{int(r['wrong_unflagged'])}" if fmt in SCANNED else "-"
        flagged = f"{r['flagged'] / r['cells']:.1%}" if fmt in SCANNED else "-"
        print(
            f"{fmt:<16}{n:>6}{r['docs_per_s']:>9.2f}{r['s_per_doc']:>8.2f}{r['peak_rss_mb']:>9.0f}"
            f"{int(r['cells']):>8}{r['accuracy']:>10.2%}{unflagged:>11}{flagged:>9}"
        )
    out = Path(__file__).parent / "out" / "formats.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(
        f"written {out}; reproduce: .venv/bin/python bench/bench_formats.py --n {args.n} --scans {args.scans}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
