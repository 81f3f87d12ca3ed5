"""`nianbao serve [--out DIR] [--host H] [--port N]`: browse the datasets in Datasette.

Tables and columns carry the codebook's English and Chinese labels; the `search` query finds
report texts by any word, two-character ones such as 财政 included; every report links to its
source URL and to its archived original, served with the content type of its bytes. Needs the
`serve` extra (pip install 'nianbao[serve]'; `make setup` installs it).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

from pipeline.cli import require_datasets
from pipeline.datasets import DEFAULT_OUT


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="browse the datasets, report texts and originals in Datasette",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (default: 8001)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_datasets(args.out, "reports")
    if not 0 < args.port < 65536:
        sys.stderr.write(f"nianbao serve: --port must be between 1 and 65535 (got {args.port})\n")
        return 2
    if importlib.util.find_spec("datasette") is None:
        sys.stderr.write(
            "nianbao serve: Datasette is not installed: pip install 'nianbao[serve]' (make setup does)\n"
        )
        return 2
    from pipeline.serve import PLUGINS_DIR
    from pipeline.serve.database import serve_database
    from pipeline.serve.metadata import SEARCH_QUERY, metadata

    db = serve_database(args.out)
    meta = db.with_name("metadata.json")
    meta.write_text(json.dumps(metadata(args.out), ensure_ascii=False, indent=1), encoding="utf-8")
    url = f"http://{args.host}:{args.port}"
    sys.stdout.write(f"serving {db} on {url}/  (search: {url}/{db.stem}/{SEARCH_QUERY}?q=财政)\n")
    sys.stdout.flush()
    command = [
        sys.executable, "-m", "datasette", "serve", str(db),
        "--metadata", str(meta), "--plugins-dir", str(PLUGINS_DIR),
        "--host", args.host, "--port", str(args.port),
    ]  # fmt: skip
    # Datasette takes this process over, so that stopping it (Ctrl-C, SIGTERM) stops the server.
    os.execv(sys.executable, command)
    return 0  # not reached
