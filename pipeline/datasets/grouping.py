"""Documents -> reports: one report per (agency, year), with a primary document and the others recorded.

The same report often exists twice (the page and its DOCX attachment): those documents agree on
every cell both carry, and the most complete one is primary. A document that disagrees with the
others is another version; the newest version (later 发布日期, then later first fetch) is the
corrected re-publication, and every document of an older version is superseded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.crawl.items import KIND_ATTACHMENT
from pipeline.datasets.documents import Document
from pipeline.datasets.schema import ROLE_DUPLICATE, ROLE_PRIMARY, ROLE_SUPERSEDED, UNKNOWN_YEAR


@dataclass
class ReportGroup:
    report_id: str
    agency_id: str
    year: int
    documents: list[Document]  # primary first, then duplicates, then superseded

    @property
    def primary(self) -> Document:
        return self.documents[0]


def report_id(agency_id: str, year: int) -> str:
    return f"{agency_id}-{year}"


def group_reports(documents: list[Document]) -> list[ReportGroup]:
    """Reports sorted by (year, agency_id); sets report_id and role on every document of a report."""
    by_key: dict[tuple[int, str], list[Document]] = {}
    for doc in documents:
        assert doc.parsed is not None
        if doc.parsed.is_report and doc.year != UNKNOWN_YEAR:
            by_key.setdefault((doc.year, doc.agency_id), []).append(doc)
    return [_group(year, agency_id, docs) for (year, agency_id), docs in sorted(by_key.items())]


def _group(year: int, agency_id: str, docs: list[Document]) -> ReportGroup:
    current, *older = _versions(docs)
    ordered = sorted(current, key=_primary_order)
    superseded = [doc for version in older for doc in version]
    rid = report_id(agency_id, year)
    for doc in ordered + superseded:
        doc.report_id = rid
    ordered[0].role = ROLE_PRIMARY
    for doc in ordered[1:]:
        doc.role = ROLE_DUPLICATE
    for doc in superseded:
        doc.role = ROLE_SUPERSEDED
    return ReportGroup(rid, agency_id, year, ordered + superseded)


def _versions(docs: list[Document]) -> list[list[Document]]:
    """Documents split into versions that agree within themselves, newest version first."""
    versions: list[list[Document]] = []
    for doc in sorted(docs, key=_newness, reverse=True):
        home = next((v for v in versions if all(_agree(doc, other) for other in v)), None)
        if home is None:
            versions.append([doc])
        else:
            home.append(doc)
    return versions


def _newness(doc: Document) -> tuple[str, str, str]:
    # A missing 发布日期 sorts before any date: only a fetch time then tells versions apart.
    return (doc.published, doc.first_fetched_at, doc.fetch.url)


def _primary_order(doc: Document) -> tuple[int, bool, str, str]:
    """Most cells found, then a page over an attachment, then the earliest fetch (stable across crawls)."""
    assert doc.parsed is not None
    return (-doc.parsed.n_found, doc.fetch.kind == KIND_ATTACHMENT, doc.first_fetched_at, doc.fetch.url)


def _agree(a: Document, b: Document) -> bool:
    """No cell that both documents give as a number differs (cells one of them lacks do not count).
    A page without tables ("详见附件" above its attachment) has no template and disagrees with none."""
    assert a.parsed is not None and b.parsed is not None
    if a.parsed.template and b.parsed.template and a.parsed.template != b.parsed.template:
        return False
    if a.parsed.template != b.parsed.template:
        return True
    x, y = a.parsed.values, b.parsed.values
    both = ~np.isnan(x) & ~np.isnan(y)
    return bool(np.allclose(x[both], y[both], rtol=0, atol=1e-9))
