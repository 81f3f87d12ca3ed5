"""`nianbao reparse [--out DIR]`: parse every stored body again and rebuild the datasets and text.

The parse cache is ignored (and refreshed), so a parser improvement reaches every old report
without crawling again.
"""

from __future__ import annotations

import argparse

from pipeline.commands.datasets import add_build_arguments
from pipeline.commands.datasets import run as run_build


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reparse", help="re-parse every archived document (ignoring the parse cache) and rebuild the datasets"
    )
    add_build_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_build(args, reparse=True)
