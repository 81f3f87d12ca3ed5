"""The `nianbao` command. Each subcommand lives in its own module and registers itself here.

This module is the one place where errors become exit statuses (the contract operators script
against, documented in docs/operations.md):

  0  all well
  1  the command completed, but some sites failed or degraded (or some documents did not parse)
  2  bad configuration or arguments, or the output folder is locked by another run
  3  nothing could be crawled

A user's mistake is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn

EXIT_OK = 0
EXIT_DEGRADED = 1
EXIT_USAGE = 2
EXIT_NOTHING_CRAWLED = 3
EXIT_MEANINGS = {
    EXIT_OK: "all well",
    EXIT_DEGRADED: "completed, but some sites failed or degraded",
    EXIT_USAGE: "bad configuration or arguments",
    EXIT_NOTHING_CRAWLED: "nothing could be crawled",
}


class UsageError(Exception):
    """A mistake in the command line: a path that does not exist, a pattern that does not compile."""

    exit_status = EXIT_USAGE


def require_datasets(out: Path, table: str = "") -> None:
    """UsageError unless `out` holds built datasets (and `table` among them, when given)."""
    if not (out / "parquet" / table).is_dir():
        raise UsageError(f"no datasets in {out}: run `nianbao datasets --out {out}` first")


class ConfigError(UsageError):
    """Configuration that cannot be used: a bad registry, a Scrapy setting, a locked output folder."""


# Errors raised below the command modules that are the user's to fix, not bugs: they end the
# command with a one-line message and EXIT_USAGE.
def _user_errors() -> tuple[type[BaseException], ...]:
    from pipeline.lock import LockHeld
    from pipeline.registry import RegistryError
    from pipeline.search import PatternError

    # PermissionError: an --out or a file the operator's account may not write or read.
    return (UsageError, RegistryError, LockHeld, PatternError, re.error, PermissionError)


# Modules that define `register(subparsers)`; each adds one subcommand whose handler is
# stored as `func` (called with the parsed namespace, returns an exit status).
COMMAND_MODULES = (
    "pipeline.commands.parse",
    "pipeline.commands.sites",
    "pipeline.commands.crawl",
    "pipeline.commands.nightly",
    "pipeline.commands.health",
    "pipeline.commands.replica",
    "pipeline.commands.datasets",
    "pipeline.commands.ingest",
    "pipeline.commands.reparse",
    "pipeline.commands.grep",
    "pipeline.commands.export",
    "pipeline.commands.compact",
    "pipeline.commands.compare",
    "pipeline.commands.serve",
    "pipeline.commands.demo",
    "pipeline.commands.discover",
)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `nianbao crawl: --set FOO: expected NAME=VALUE (see --help)`."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def package_version() -> str:
    try:
        return version("nianbao")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nianbao",
        description="Find, archive and turn into data the annual reports on open government information.",
    )
    parser.add_argument("--version", action="version", version=f"nianbao {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for command in sub.choices.values():
        _add_verbosity(command)
    return parser


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    """-v / -q on every command (and on the actions of commands that have them)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="count", default=0, help="say more (-v: crawl log and stats; -vv: debug)"
    )
    group.add_argument("-q", "--quiet", action="store_true", help="errors only: no summary, no progress bar")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_verbosity(child)


def verbosity(args: argparse.Namespace) -> int:
    """-1 quiet, 0 default, 1 verbose, 2 debug."""
    return -1 if getattr(args, "quiet", False) else min(2, getattr(args, "verbose", 0))


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal (never into a log file), and never when quiet."""
    return verbosity(args) >= 0 and sys.stderr.isatty()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except _user_errors() as exc:
        sys.stderr.write(f"nianbao {args.command}: {one_line(exc)}\n")
        return getattr(exc, "exit_status", EXIT_USAGE)
    except BrokenPipeError:
        # `nianbao grep … | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write(f"nianbao {args.command}: interrupted\n")
        return 130


def one_line(exc: BaseException) -> str:
    """The message of an error on one line (a registry error lists its first problem and a count)."""
    problems = getattr(exc, "problems", None)
    if problems:
        more = f" (and {len(problems) - 1} more: run `nianbao sites check`)" if len(problems) > 1 else ""
        return f"bad sites registry: {problems[0]}{more}"
    if isinstance(exc, re.error):
        return f"bad regular expression: {exc}"
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    # `python -m pipeline.cli`: run the imported module's main, so that the error classes the
    # commands raise (imported from `pipeline.cli`) are the ones caught there.
    from pipeline.cli import main as imported_main

    sys.exit(imported_main())
