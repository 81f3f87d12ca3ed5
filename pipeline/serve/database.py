"""The database `nianbao serve` gives Datasette: the SQLite export plus the report texts, two
full-text indexes over them (trigram for the table's search box, character pairs for the search
query that finds two-character words) and facts with the template's labels.

Built into OUT/serve/ whenever a table file or the text index is newer than it, under a
temporary name and renamed when complete; the export bundle itself is left as it is.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from pipeline.datasets.export import export
from pipeline.datasets.layout import data_files
from pipeline.datasets.text import INDEX_FILE, report_body
from pipeline.serve.terms import index_terms

DATABASE_NAME = "nianbao"  # Datasette names a database after its file
REPORT_TEXT = "report_text"
TRIGRAM_INDEX = "report_text_fts"
PAIR_INDEX = "report_terms"
FACTS_LABELLED = "facts_labelled"


def serve_database(out: Path) -> Path:
    """OUT/serve/nianbao.sqlite, rebuilt when the datasets or the text archive changed."""
    dest = out / "serve" / f"{DATABASE_NAME}.sqlite"
    # Any table file or the text index: a rebuild rewrites only the files whose bytes changed.
    sources = [*data_files(out / "parquet"), out / "text" / INDEX_FILE]
    newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0.0)
    if dest.exists() and dest.stat().st_mtime >= newest:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".serve-") as tmp:
        partial = export(out, "sqlite", Path(tmp) / dest.name)
        _add_search(partial, out)
        partial.replace(dest)
    return dest


def _add_search(db: Path, out: Path) -> None:
    con = sqlite3.connect(db)
    try:
        con.executescript(
            f"""
            CREATE TABLE {REPORT_TEXT} (
                report_id TEXT PRIMARY KEY, year INTEGER, agency_id TEXT, agency_name TEXT,
                title TEXT, url TEXT, raw_path TEXT, text TEXT
            );
            CREATE VIRTUAL TABLE {TRIGRAM_INDEX} USING fts5(
                title, text, content='{REPORT_TEXT}', content_rowid='rowid', tokenize='trigram'
            );
            CREATE VIRTUAL TABLE {PAIR_INDEX} USING fts5(terms, content='');
            CREATE VIEW {FACTS_LABELLED} AS
                SELECT f.*, c.item_label, c.column_label
                FROM facts f LEFT JOIN cells c
                  ON c.template = f.template AND c.section = f.section
                 AND c.item = f.item AND c."column" = f."column";
            """
        )
        reports = con.execute(
            "SELECT report_id, year, agency_id, agency_name, title, url, raw_path, text_path "
            "FROM reports ORDER BY year, agency_id"
        ).fetchall()
        for *fields, text_path in reports:
            text = _report_text(out, text_path)
            cursor = con.execute(
                f"INSERT INTO {REPORT_TEXT} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*fields, text]
            )
            terms = index_terms(f"{fields[4] or ''}\n{text}")
            con.execute(f"INSERT INTO {PAIR_INDEX} (rowid, terms) VALUES (?, ?)", (cursor.lastrowid, terms))
        con.execute(f"INSERT INTO {TRIGRAM_INDEX} ({TRIGRAM_INDEX}) VALUES ('rebuild')")
        con.commit()
    finally:
        con.close()


def _report_text(out: Path, text_path: str | None) -> str:
    if not text_path:
        return ""
    try:
        return report_body((out / text_path).read_text(encoding="utf-8"))
    except OSError:
        return ""
