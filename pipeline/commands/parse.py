"""`nianbao parse FILE... [--json]`: parse documents and print a summary or one JSON object per file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.parse import parse_report
from pipeline.report import STATUS_FAILED, Report
from pipeline.summary import report_summary


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("parse", help="parse report files (HTML, DOCX, XLSX, text …)")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for path in args.files:
        report = _parse_file(path)
        if args.json:
            sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(report_summary(report) + "\n")
        sys.stdout.flush()
    return 0


def _parse_file(path: str) -> Report:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Report(source=path, status=STATUS_FAILED, error=f"cannot read file: {exc.strerror or exc}")
    return parse_report(data, filename=path)
