"""`nianbao serve`: the datasets in Datasette, for journalists and researchers.

database.py   the SQLite export plus report texts and their search indexes (OUT/serve/)
metadata.py   English and Chinese labels from the schema, the short-word search query
terms.py      the character-pair index that finds two-character words (财政)
originals.py  archived originals with the content type of their bytes
plugins/      the Datasette plugin (loaded with --plugins-dir)
"""

from __future__ import annotations

from pathlib import Path

PLUGINS_DIR = Path(__file__).parent / "plugins"
