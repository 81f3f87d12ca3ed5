"""build_datasets: the raw archive (and its parse cache) -> the tables, the text archive and
the datapackage. Nothing else is read: no network, no registry beyond what the fetch records hold.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline.datasets.datapackage import write_datapackage
from pipeline.datasets.documents import Document, load_documents, read_report
from pipeline.datasets.grouping import ReportGroup, group_reports
from pipeline.datasets.layout import (
    FileSet,
    compact,
    data_files,
    read_year,
    replace_year,
    rows_to_table,
    without_agencies,
    write_if_changed,
    years_on_disk,
)
from pipeline.datasets.panel_checks import write_panel_checks
from pipeline.datasets.parallel import parallel_map
from pipeline.datasets.rows import Row, check_rows, document_row, fact_rows, report_row
from pipeline.datasets.schema import PARTITION_TABLES, TABLES
from pipeline.datasets.state import BuildState, fingerprint
from pipeline.datasets.summary import BuildSummary, summarize
from pipeline.datasets.text import INDEX_FILE, index_bytes, index_entry, render_report_text, text_path

# Partitions handed to one worker at a time: one Arrow table per table and batch, not per report.
_BATCH_PARTITIONS = 64


@dataclass
class Partition:
    """One (year, agency): its report, if any, and every document filed under it."""

    out: Path
    year: int
    agency_id: str
    group: ReportGroup | None
    document_rows: list[Row]

    @property
    def key(self) -> str:
        return f"{self.year}/{self.agency_id}"


@dataclass
class PartitionRows:
    """What a worker made of a batch of partitions: their rows, and their text files."""

    tables: dict[tuple[str, int], pa.Table]  # (table, year) -> rows
    text_files: dict[Path, bool]  # path -> written (False: already up to date)


def build_datasets(
    out: Path,
    *,
    reparse: bool = False,
    progress: bool = False,
    only_agencies: set[str] | None = None,
    workers: int | None = None,
) -> BuildSummary:
    """Write every table, text file and the datapackage for every document in the archive.

    Bodies not in the parse cache are parsed (every body with `reparse`), on `workers` processes
    (default: one per CPU). Only the (year, agency) partitions whose inputs changed since the last
    build are made again, and only the years holding one are rewritten (each year file replaced
    in one rename). With `only_agencies`, only those agencies' rows and text files are considered.
    """
    out = Path(out)
    root = out / "parquet"
    documents = load_documents(out, reparse=reparse, progress=progress, workers=workers)
    groups = group_reports(documents)
    partitions = _partitions(out, documents, groups)
    state = BuildState(out, trusted=not reparse)
    if not state.trusted:
        only_agencies = None  # no previous build to keep the other agencies' rows from: build all
    in_scope = (lambda a: True) if only_agencies is None else (lambda a: a in only_agencies)
    texts = FileSet(out / "text", "*/*/*.txt", lambda p: in_scope(p.parent.name))
    prints = {p.key: _fingerprint(p) for p in partitions}
    changed = []
    for part in partitions:
        kept = state.unchanged(part.key, prints[part.key]) if in_scope(part.agency_id) else []
        if kept is None:
            changed.append(part)
        for path in kept or ():
            texts.record(path, False)
    batches = [changed[i : i + _BATCH_PARTITIONS] for i in range(0, len(changed), _BATCH_PARTITIONS)]
    made = list(
        parallel_map(partition_rows, batches, workers=workers, progress=progress, desc="rows", unit="batch")
    )
    for rows in made:
        for path, written in rows.text_files.items():
            texts.record(path, written)
    for part in changed:
        state.record(part.key, prints[part.key], [_text_file(part)] if part.group else [])
    # Agencies whose rows go: those remade now, and those in scope no longer in the archive.
    now = {p.key for p in partitions}
    gone = [key for key in state.entries if key not in now and in_scope(key.split("/", 1)[1])]
    replaced: dict[int, set[str]] = defaultdict(set)
    for key in [p.key for p in changed] + gone:
        year, agency_id = key.split("/", 1)
        replaced[int(year)].add(agency_id)
    counts = _write_years(root, replaced, made, keep_old=state.trusted)
    texts.put(out / "text" / INDEX_FILE, index_bytes([index_entry(g) for g in groups]))
    texts.finish()
    # Across years, with the text files just written; from scratch when the old files are not trusted.
    remade = {(year, agency_id) for year, agencies in replaced.items() for agency_id in agencies}
    counts += write_panel_checks(out, groups, remade if state.trusted else None)
    state.save(now, [f for name in TABLES for f in data_files(root / name)])
    write_datapackage(root)
    return summarize(out, documents, groups, counts, texts.counts, only_agencies)


def _write_years(
    root: Path, replaced: dict[int, set[str]], made: list[PartitionRows], *, keep_old: bool
) -> Counter[str]:
    """Rewrite each year where agencies were replaced: the year's old rows of every other agency
    (none when the old files cannot be trusted), then the new rows; years left empty go."""
    counts: Counter[str] = Counter()
    years = set(replaced)
    if not keep_old:  # a full rebuild: every year on disk is rewritten (or removed)
        years |= {y for name in PARTITION_TABLES for y in years_on_disk(root, name)}
    for name in PARTITION_TABLES:
        spec = TABLES[name]
        for year in sorted(years):
            parts = [r.tables[(name, year)] for r in made if (name, year) in r.tables]
            if keep_old:
                parts.insert(0, without_agencies(read_year(root, spec, year), replaced.get(year, set())))
            table = pa.concat_tables(parts) if parts else spec.file_schema.empty_table()
            counts["written" if replace_year(root, spec, year, table) else "unchanged"] += 1
    return counts


def compact_datasets(out: Path) -> int:
    """`nianbao compact`: bring (table, year) folders of an older layout to one file each;
    returns how many there were (0: nothing to do, the build already writes one file per year)."""
    root = Path(out) / "parquet"
    merged = compact(root)
    if merged:
        write_datapackage(root)
    return merged


def partition_rows(batch: list[Partition]) -> PartitionRows:
    """The rows of a batch of partitions, by (table, year), and their reports' text files written
    where their bytes changed (runs in worker processes)."""
    rows: dict[tuple[str, int], list[Row]] = defaultdict(list)
    text_files: dict[Path, bool] = {}
    for part in batch:
        rows[("documents", part.year)] += part.document_rows
        if part.group is None:
            continue
        group = part.group
        report = read_report(part.out, group.primary.fetch)
        entry = index_entry(group)
        rows[("reports", part.year)].append(report_row(group, report, entry["path"]))
        rows[("facts", part.year)] += fact_rows(group, report)
        rows[("checks", part.year)] += check_rows(group, report)
        content = render_report_text(entry, report, group.primary.published, group.primary.raw_path or "")
        path = part.out / entry["path"]
        text_files[path] = write_if_changed(path, content.encode("utf-8"))
    tables = {key: rows_to_table(TABLES[key[0]], found) for key, found in rows.items() if found}
    return PartitionRows(tables, text_files)


def _text_file(part: Partition) -> Path:
    assert part.group is not None
    return part.out / text_path(part.year, part.agency_id, part.group.report_id)


def _partitions(out: Path, documents: list[Document], groups: list[ReportGroup]) -> list[Partition]:
    by_key: dict[tuple[int, str], list[Document]] = {}
    for doc in documents:
        by_key.setdefault((doc.year, doc.agency_id), []).append(doc)
    reports = {(g.year, g.agency_id): g for g in groups}
    return [
        Partition(out, year, agency_id, reports.get((year, agency_id)), [document_row(d) for d in docs])
        for (year, agency_id), docs in sorted(by_key.items())
    ]


def _fingerprint(part: Partition) -> str:
    """The partition's inputs: its documents' rows and its report's agency identity (for the text)."""
    identity = part.group.primary.identity if part.group else None
    return fingerprint([part.document_rows, vars(identity) if identity else None])
