"""The Datasette plugin of `nianbao serve` (loaded with --plugins-dir): the SQL functions of the
short-word search, links from every raw_path to the archived original, and the route that serves
originals with the content type of their bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from pipeline.serve.metadata import PLUGIN
from pipeline.serve.originals import SECURITY_HEADERS, load_original
from pipeline.serve.terms import excerpt, match_query

ORIGINAL_ROUTE = "/-/original/"


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("nianbao_match", 1, lambda q: match_query(str(q or "")), deterministic=True)
    conn.create_function(
        "nianbao_excerpt", 2, lambda t, q: excerpt(str(t or ""), str(q or "")), deterministic=True
    )


@hookimpl
def render_cell(value: Any, column: str) -> Markup | None:
    if column == "raw_path" and isinstance(value, str) and value.startswith("archive/raw/"):
        sha256 = value.rsplit("/", 1)[-1].split(".", 1)[0]
        return Markup(f'<a href="{ORIGINAL_ROUTE}{sha256}">{escape(value)}</a>')
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(rf"^{ORIGINAL_ROUTE}(?P<sha256>[0-9a-f]{{64}})$", original)]


async def original(datasette: Any, request: Any) -> Response:
    sha256 = request.url_vars["sha256"]
    out = Path(datasette.plugin_config(PLUGIN)["out"])
    db = datasette.get_database()
    rows = await db.execute(
        "SELECT filename FROM documents WHERE content_sha256 = ? AND filename IS NOT NULL LIMIT 1", [sha256]
    )
    filename = rows.first()[0] if rows.first() else ""
    found = load_original(out, sha256, filename)
    if found is None:
        return Response.text(f"{sha256} is not in the archive of {out}", status=404)
    headers = dict(SECURITY_HEADERS)
    if filename:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return Response(found.body, content_type=found.content_type, headers=headers)
