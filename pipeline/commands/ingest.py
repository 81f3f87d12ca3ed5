"""`nianbao ingest PATH... --out DIR [--url URL] [--agency NAME]`: add reports held as local files
to the archive, then update the datasets and the text archive as a crawl does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UsageError, show_progress, verbosity
from pipeline.datasets import DEFAULT_OUT
from pipeline.lock import OutputLock


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="add report files and folders to the archive and update the datasets and text archive",
        description="Store each file content-addressed in OUT/archive with file:// provenance (or "
        "--url), then parse and rebuild the datasets and text archive as a crawl does. Files "
        "whose bytes are already archived change nothing. Exits 2 on a missing or unreadable path, "
        "before anything is archived.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="report files or folders of them")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--url", help="the URL the document was published at (one file only)")
    parser.add_argument(
        "--agency", default="", metavar="NAME", help="the publishing agency, a hint as in the site registry"
    )
    parser.add_argument("--workers", type=int, help="parser processes (default: one per CPU)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.crawl.outputs import update_outputs
    from pipeline.datasets import print_build_summary
    from pipeline.ingest import IngestError, collect_files, ingest

    try:
        collect_files(args.paths, url=args.url)  # the user's mistakes, said before OUT is touched
        with OutputLock(args.out):
            result = ingest(args.paths, args.out, url=args.url, agency=args.agency)
            summary = update_outputs(args.out, progress=show_progress(args), workers=args.workers)
    except IngestError as exc:
        raise UsageError(str(exc)) from exc
    if verbosity(args) >= 0:
        sys.stdout.write(
            f"ingested {len(result.added)} files into {args.out}/archive"
            f" ({len(result.already_archived)} already archived)\n"
        )
        print_build_summary(summary)
    return 0
