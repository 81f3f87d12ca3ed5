"""`nianbao parse FILE... [--json]`: parse documents and print a summary or one JSON object per file.

Each file is parsed in a worker process under the per-document budgets (pipeline/limits.py), as
the crawl and `reparse` do: a document that runs away is killed and reported as failed, and the
other files are parsed all the same."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli import EXIT_DEGRADED, EXIT_OK, EXIT_USAGE, verbosity
from pipeline.parse import parse_report
from pipeline.report import STATUS_FAILED, Report
from pipeline.summary import report_summary
from pipeline.workers import IsolatedPool, WorkerFailed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("parse", help="parse report files (HTML, DOCX, XLSX, text …)")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """0 every file parsed; 1 some did not parse as a report; 2 some could not be read (each
    named on stderr, the others parsed all the same)."""
    unreadable = failed = 0
    with IsolatedPool(1, preload=("pipeline.parse",)) as pool:
        for path in args.files:
            report = _parse_file(pool, path)
            if report.status == STATUS_FAILED and report.error and report.error.startswith(_UNREADABLE):
                unreadable += 1
                sys.stderr.write(f"nianbao parse: {path}: {report.error}\n")
            elif report.status == STATUS_FAILED:
                failed += 1
            if args.json:
                sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
            elif verbosity(args) >= 0 or report.status == STATUS_FAILED:
                sys.stdout.write(report_summary(report) + "\n")
            sys.stdout.flush()
    return EXIT_USAGE if unreadable else EXIT_DEGRADED if failed else EXIT_OK


_UNREADABLE = "cannot read file"


def _parse_file(pool: IsolatedPool, path: str) -> Report:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Report(source=path, status=STATUS_FAILED, error=f"{_UNREADABLE}: {exc.strerror or exc}")
    try:
        return pool.call(parse_report, data, path)
    except WorkerFailed as failed:  # over a budget or crashed: that file fails, the rest go on
        return Report(source=path, status=STATUS_FAILED, error=str(failed))
