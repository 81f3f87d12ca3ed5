"""Every fetched document of the raw archive, parsed (or taken from the parse cache) and identified.

A document is one URL with one content: a page fetched on many nights with the same bytes is one
document; a page whose bytes changed (a corrected re-publication at the same URL) is two.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from pipeline.agency import AgencyIdentity
from pipeline.archive import FetchRecord, ParseCache, RawArchive
from pipeline.crawl.items import KIND_ATTACHMENT, KIND_LIST
from pipeline.datasets.identity import identify
from pipeline.datasets.parallel import parallel_map
from pipeline.datasets.schema import UNKNOWN_YEAR
from pipeline.datasets.summaries import IdentityCache, Parsed, SummaryCache
from pipeline.parse import PARSER_VERSION, parse_report
from pipeline.report import Report
from pipeline.workers import IsolatedPool, WorkerFailed

# Hints a page's metadata gives that its attachments' fetch records usually lack.
_INHERITED = ("published", "publisher", "index_no", "doc_number", "site_id_code")


@dataclass
class Document:
    fetch: FetchRecord  # the latest fetch, with an attachment's empty hints filled from its page
    first_fetched_at: str
    last_fetched_at: str
    n_fetches: int
    parsed: Parsed | None = None
    identity: AgencyIdentity | None = None
    year: int = UNKNOWN_YEAR
    report_id: str | None = None
    role: str | None = None
    raw_path: str | None = None  # the stored bytes, relative to the output folder; None if absent

    @property
    def document_id(self) -> str:
        return hashlib.sha256(f"{self.fetch.url}\n{self.fetch.sha256}".encode()).hexdigest()[:16]

    @property
    def agency_id(self) -> str:
        assert self.identity is not None, "documents are identified when loaded"
        return self.identity.agency_id

    @property
    def published(self) -> str:
        """发布日期 as YYYY-MM-DD, or "" when the site gave none."""
        match = re.match(r"\d{4}-\d{2}-\d{2}", self.fetch.published.strip())
        return match.group(0) if match else ""

    @property
    def page_url(self) -> str:
        return (
            self.fetch.parent_url
            if self.fetch.kind == KIND_ATTACHMENT and self.fetch.parent_url
            else self.fetch.url
        )


def load_documents(
    out: Path, *, reparse: bool = False, progress: bool = False, workers: int | None = None
) -> list[Document]:
    """Every document of the archive, parsed and identified, in first-fetch order."""
    archive = RawArchive(out)
    documents = _collect(archive.records())
    by_sha = {doc.fetch.sha256: doc.fetch for doc in documents}
    parsed = _summaries(out, by_sha, reparse=reparse, progress=progress, workers=workers)
    stored = {sha: archive.find(sha) for sha in by_sha}
    identities = _identities(out, documents, parsed, reparse=reparse)
    for doc, identity in zip(documents, identities, strict=True):
        found = stored[doc.fetch.sha256]
        doc.raw_path = found.relative_to(out).as_posix() if found else None
        doc.parsed = parsed[doc.fetch.sha256]
        doc.identity = identity
        doc.year = _year(doc)
    return documents


def _identities(
    out: Path, documents: list[Document], parsed: dict[str, Parsed], *, reparse: bool
) -> list[AgencyIdentity]:
    """The agency of every document: stored ones whose inputs are unchanged, the others resolved."""
    store = IdentityCache(out)
    known = {} if reparse else store.load()
    keys = [store.key(doc.fetch, parsed[doc.fetch.sha256]) for doc in documents]
    found = [
        known.get(key) or identify(doc.fetch, parsed[doc.fetch.sha256])
        for doc, key in zip(documents, keys, strict=True)
    ]
    current = dict(zip(keys, found, strict=True))
    if current.keys() != known.keys():
        store.save(current)
    return found


def _summaries(
    out: Path, by_sha: dict[str, FetchRecord], *, reparse: bool, progress: bool, workers: int | None
) -> dict[str, Parsed]:
    """The Parsed summary of every body: stored ones whose parse is unchanged, the others made
    from the parse cache (or by parsing), on every CPU; the store is then brought up to date."""
    store = SummaryCache(out)
    stamps = {sha: store.stamp(sha) for sha in by_sha}
    known = {} if reparse else store.load(stamps)
    todo = [sha for sha in by_sha if sha not in known]
    jobs = [(out, by_sha[sha], not reparse) for sha in todo]
    if reparse:
        made = _parse_isolated(jobs, workers=workers, progress=progress)
    else:  # from the parse cache the crawl filled, parsing only what it left undone
        made = list(
            parallel_map(_parse_summary, jobs, workers=workers, progress=progress, desc="parse", unit="doc")
        )
    parsed = {**known, **dict(zip(todo, made, strict=True))}
    if todo:
        store.save(parsed, {**stamps, **{sha: store.stamp(sha) for sha in todo}})
    return {sha: parsed[sha] for sha in by_sha}


def _parse_isolated(
    jobs: list[tuple[Path, FetchRecord, bool]], *, workers: int | None, progress: bool
) -> list[Parsed]:
    """Every job parsed afresh in worker processes under the per-document budgets: a document
    that overruns them is killed, cached and counted as a failed parse with the reason."""
    summaries = []
    with (
        IsolatedPool(workers or os.cpu_count() or 1) as pool,
        tqdm(total=len(jobs), desc="parse", unit="doc", file=sys.stderr, disable=not progress) as bar,
    ):
        for (out, fetch, _cached), result in zip(jobs, pool.map(_parse_summary, jobs), strict=True):
            if isinstance(result, WorkerFailed):
                report = Report(source=fetch.url, error=str(result))
                ParseCache(out, PARSER_VERSION).put(fetch.sha256, report)
                result = Parsed.of(report)
            summaries.append(result)
            bar.update()
    return summaries


def read_report(out: Path, fetch: FetchRecord, *, use_cache: bool = True) -> Report:
    """The parse of a stored body: from the cache when allowed and valid, else parsed and cached."""
    cache = ParseCache(out, PARSER_VERSION)
    if use_cache and (hit := cache.get(fetch.sha256)) is not None:
        return hit
    if fetch.status >= 400:
        return Report(source=fetch.url, error=f"http_status: the server answered {fetch.status}")
    try:
        data = RawArchive(out).get(fetch.sha256)
    except OSError as exc:
        return Report(source=fetch.url, error=f"body_missing: {exc.strerror or exc}")
    report = _parse(data, fetch)
    cache.put(fetch.sha256, report)
    return report


def _parse(data: bytes, fetch: FetchRecord) -> Report:
    try:
        return parse_report(
            data, filename=fetch.filename or fetch.url, url=fetch.url, content_type=fetch.content_type
        )
    except Exception as exc:  # a parser bug must not drop a fetched document from the data
        return Report(source=fetch.url, error=f"parser_crashed: {type(exc).__name__}: {exc}")


def _parse_summary(job: tuple[Path, FetchRecord, bool]) -> Parsed:
    out, fetch, use_cache = job
    return Parsed.of(read_report(out, fetch, use_cache=use_cache))


def _collect(records: Iterable[FetchRecord]) -> list[Document]:
    """One Document per (url, sha256), keeping the latest fetch's metadata."""
    documents: dict[tuple[str, str], Document] = {}
    pages: dict[str, FetchRecord] = {}
    for fetch in records:
        if fetch.kind == KIND_LIST:
            continue  # list pages are archived for provenance only, never documents
        if fetch.kind != KIND_ATTACHMENT:
            pages[fetch.url] = fetch
        doc = documents.get((fetch.url, fetch.sha256))
        if doc is None:
            documents[(fetch.url, fetch.sha256)] = Document(fetch, fetch.fetched_at, fetch.fetched_at, 1)
            continue
        doc.fetch, doc.last_fetched_at, doc.n_fetches = fetch, fetch.fetched_at, doc.n_fetches + 1
    for doc in documents.values():
        page = pages.get(doc.fetch.parent_url) if doc.fetch.kind == KIND_ATTACHMENT else None
        if page is not None:
            doc.fetch = replace(
                doc.fetch, **{k: getattr(page, k) for k in _INHERITED if not getattr(doc.fetch, k)}
            )
    return list(documents.values())


def _year(doc: Document) -> int:
    """The report year; for a report without one in its text, the year before publication (条例 Art. 49)."""
    assert doc.parsed is not None
    if doc.parsed.year:
        return doc.parsed.year
    if doc.parsed.is_report and doc.published:
        return int(doc.published[:4]) - 1
    return UNKNOWN_YEAR
