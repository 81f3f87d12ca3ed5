"""Full-text search that finds one- and two-character Chinese words.

SQLite's trigram tokenizer cannot match a query shorter than three characters, and 财政, 公开, 复议
are two. The report text is therefore also indexed as overlapping character pairs (plus the last
character of each run of Chinese text) in an FTS5 table with the plain unicode61 tokenizer, and a
query is turned into a phrase of the same pairs: 财政局 -> "财政 政局", 财政 -> "财政", a single
character -> a prefix query ("财"*). Latin words and numbers are indexed as words.
"""

from __future__ import annotations

import re

from pipeline.numbers import nfkc

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
NO_MATCH = '"-"'  # a phrase of no token: an empty query matches nothing (unicode61 drops "-")


def _runs(text: str) -> list[str]:
    return _RUN.findall(nfkc(text).lower())


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


def index_terms(text: str) -> str:
    """The text as space-separated index terms: pairs of Chinese characters, Latin words."""
    terms: list[str] = []
    for run in _runs(text):
        if _is_cjk(run):
            terms += [run[i : i + 2] for i in range(len(run) - 1)]
            terms.append(run[-1])
        else:
            terms.append(run)
    return " ".join(terms)


def match_query(query: str) -> str:
    """An FTS5 MATCH expression over index_terms: every word of the query must occur (AND)."""
    parts = []
    for run in _runs(query):
        if _is_cjk(run) and len(run) == 1:
            parts.append(f'"{run}"*')
        elif _is_cjk(run):
            parts.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
        else:
            parts.append(f'"{run}"')
    return " AND ".join(parts) or NO_MATCH


def excerpt(text: str, query: str, width: int = 40) -> str:
    """The text around the first place a word of the query occurs, the word in 【】."""
    flat = nfkc(" ".join(str(text or "").split()))
    folded = flat.lower()
    words = [nfkc(w).lower() for w in query.split()]
    hits = [(folded.find(w), len(w)) for w in words if w and w in folded]
    if not hits:
        return flat[: 2 * width]
    start, size = min(hits)
    end = start + size
    head = "…" if start > width else ""
    tail = "…" if end + width < len(flat) else ""
    return f"{head}{flat[max(0, start - width) : start]}【{flat[start:end]}】{flat[end : end + width]}{tail}"
