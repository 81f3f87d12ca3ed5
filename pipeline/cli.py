"""The `nianbao` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Modules that define `register(subparsers)`; each adds one subcommand whose handler is
# stored as `func` (called with the parsed namespace, returns an exit status).
COMMAND_MODULES = (
    "pipeline.commands.parse",
    "pipeline.commands.sites",
    "pipeline.commands.crawl",
    "pipeline.commands.replica",
    "pipeline.commands.datasets",
    "pipeline.commands.reparse",
    "pipeline.commands.grep",
    "pipeline.commands.export",
    "pipeline.commands.compact",
    "pipeline.commands.compare",
    "pipeline.commands.serve",
    "pipeline.commands.demo",
    "pipeline.commands.discover",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="Find, archive and turn into data the annual reports on open government information.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # `nianbao grep … | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
