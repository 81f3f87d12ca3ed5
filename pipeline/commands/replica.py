"""`nianbao replica serve`: run the replica sites on 127.0.0.1 for a manual crawl."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replica", help="serve generated replica sites of each CMS family (loopback)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="serve until interrupted; prints the registry to crawl",
        description="Serve the replica sites on 127.0.0.1 and write their registry; crawl them with "
        "`nianbao crawl --sites REGISTRY --allow-host HOST:PORT`.",
    )
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument("--reports", type=int, default=6, help="reports per site (default 6)")
    serve.add_argument("--dir", type=Path, help="folder for sites.yaml (default: a new temporary folder)")
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.replica import start_replica

    replica = start_replica(seed=args.seed, n_reports_per_site=args.reports, workdir=args.dir)
    print(f"replica sites at {replica.url}; registry {replica.registry_path}")
    print(f"crawl: nianbao crawl --sites {replica.registry_path} --allow-host {replica.host} --out OUT")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
    return 0
