"""build_datasets: the raw archive (and its parse cache) -> the four tables, the text archive and
the datapackage. Nothing else is read: no network, no registry beyond what the fetch records hold.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.datasets.datapackage import write_datapackage
from pipeline.datasets.documents import Document, load_documents, raw_path, read_report
from pipeline.datasets.grouping import ReportGroup, group_reports
from pipeline.datasets.layout import (
    FileSet,
    compact,
    expand,
    parquet_bytes,
    partition_agency,
    partition_file,
    rows_to_table,
    write_if_changed,
)
from pipeline.datasets.panel_checks import write_panel_checks
from pipeline.datasets.parallel import parallel_map
from pipeline.datasets.rows import Row, check_rows, document_row, fact_rows, report_row
from pipeline.datasets.schema import PANEL_CHECKS, TABLES
from pipeline.datasets.state import BuildState, fingerprint
from pipeline.datasets.summary import BuildSummary, summarize
from pipeline.datasets.text import INDEX_FILE, index_bytes, index_entry, render_report_text


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
    (default: one per CPU). Partitions whose inputs did not change since the last build are left
    alone. With `only_agencies`, only those agencies' partitions and text files are considered.
    """
    out = Path(out)
    documents = load_documents(out, reparse=reparse, progress=progress, workers=workers)
    groups = group_reports(documents)
    partitions = _partitions(out, documents, groups)
    expand(out / "parquet")  # a compacted dataset goes back to one folder per agency before an update
    outputs = _Outputs(out, only_agencies)
    state = BuildState(out, trusted=not reparse)
    todo = [p for p in partitions if outputs.in_scope(p.agency_id)]
    _write_partitions(todo, state, outputs, workers=workers, progress=progress)
    outputs.texts.put(out / "text" / INDEX_FILE, index_bytes([index_entry(g) for g in groups]))
    outputs.finish()
    write_panel_checks(out, groups, only_agencies)  # across years, with the text files just written
    state.save({p.key for p in partitions})
    write_datapackage(out / "parquet")
    return summarize(out, documents, groups, outputs.tables.counts, outputs.texts.counts, only_agencies)


class _Outputs:
    """The Parquet files and text files a build owns: those of the agencies in scope."""

    def __init__(self, out: Path, only_agencies: set[str] | None) -> None:
        self.only_agencies = only_agencies
        self.text_root = out / "text"
        self.tables = FileSet(
            out / "parquet",
            "*/year=*/agency=*/*.parquet",
            # panel_checks is derived from the other tables, after them (write_panel_checks)
            lambda p: (
                self.in_scope(partition_agency(p))
                and not p.is_relative_to(out / "parquet" / PANEL_CHECKS.name)
            ),
        )
        self.texts = FileSet(self.text_root, "*/*/*.txt", lambda p: self.in_scope(p.parent.name))

    def in_scope(self, agency_id: str) -> bool:
        return self.only_agencies is None or agency_id in self.only_agencies

    def record(self, files: dict[Path, bool]) -> None:
        for path, written in files.items():
            (self.texts if path.is_relative_to(self.text_root) else self.tables).record(path, written)

    def finish(self) -> None:
        self.tables.finish()
        self.texts.finish()


def _write_partitions(
    partitions: list[Partition], state: BuildState, outputs: _Outputs, *, workers: int | None, progress: bool
) -> None:
    """Write the partitions whose inputs changed since the last build, in worker processes."""
    prints = {p.key: _fingerprint(p) for p in partitions}
    todo = []
    for part in partitions:
        kept = state.unchanged(part.key, prints[part.key])
        if kept is None:
            todo.append(part)
        outputs.record(dict.fromkeys(kept or (), False))
    done = parallel_map(
        write_partition, todo, workers=workers, progress=progress, desc="write", unit="partition"
    )
    for part, files in zip(todo, done, strict=True):
        outputs.record(files)
        state.record(part.key, prints[part.key], list(files))


def compact_datasets(out: Path) -> Counter[str]:
    """`nianbao compact`: one file per (table, year), and a datapackage naming the new files."""
    counts = compact(Path(out) / "parquet")
    write_datapackage(Path(out) / "parquet")
    return counts


def write_partition(part: Partition) -> dict[Path, bool]:
    """Write the partition's Parquet files and its report's text file where their bytes changed;
    returns every file with whether it was written (runs in worker processes)."""
    rows = {"documents": part.document_rows}
    files: dict[Path, bytes] = {}
    if part.group is not None:
        group = part.group
        report = read_report(part.out, group.primary.fetch)
        entry = index_entry(group)
        rows["reports"] = [report_row(group, report, entry["path"])]
        rows["facts"] = fact_rows(group, report)
        rows["checks"] = check_rows(group, report)
        content = render_report_text(
            entry, report, group.primary.published, raw_path(group.primary.fetch.sha256)
        )
        files[part.out / entry["path"]] = content.encode("utf-8")
    for name, spec in TABLES.items():
        if rows.get(name):  # no rows, no file: the build deletes one left by an earlier build
            path = partition_file(part.out / "parquet", name, part.year, part.agency_id)
            files[path] = parquet_bytes(rows_to_table(spec, rows[name]))
    return {path: write_if_changed(path, data) for path, data in files.items()}


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
    return fingerprint([part.document_rows, dataclasses.asdict(identity) if identity else None])
