"""The canonical cell codes of each template era (the public data contract).

The CSV files in ``pipeline/data`` are copied verbatim from the project's specification; the codes
(section, item, column) must never change. Each codebook is loaded once per process.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

SECTIONS = ("active_disclosure", "requests", "review_litigation")
APPLICANT_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_organization",
    "legal_service_organization",
    "other_organization",
)
LEGAL_PERSON_COLUMNS = APPLICANT_COLUMNS[1:]
REQUEST_COLUMNS = (*APPLICANT_COLUMNS, "total")
REVIEW_ITEMS = ("administrative_review", "litigation_direct", "litigation_after_review")
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
REVIEW_COLUMNS = (*REVIEW_PARTS, "total")


@dataclass(frozen=True)
class CodebookCell:
    section: str
    item: str
    column: str
    item_label: str
    column_label: str
    unit: str
    relation_to_2021: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.section, self.item, self.column)


@dataclass(frozen=True)
class Codebook:
    template: str
    cells: tuple[CodebookCell, ...]

    @cached_property
    def keys(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(c.key for c in self.cells)

    def items(self, section: str) -> list[str]:
        """Items of a section in template order."""
        return list(self._items[section])

    def cell(self, key: tuple[str, str, str]) -> CodebookCell:
        return self._index[key]

    @cached_property
    def _index(self) -> dict[tuple[str, str, str], CodebookCell]:
        return {c.key: c for c in self.cells}

    @cached_property
    def _items(self) -> dict[str, tuple[str, ...]]:
        by_section: dict[str, dict[str, None]] = {section: {} for section in SECTIONS}
        for c in self.cells:
            by_section.setdefault(c.section, {})[c.item] = None
        return {section: tuple(items) for section, items in by_section.items()}


@cache
def load_codebook(template: str = "2021") -> Codebook:
    """Load the codebook of a template era: ``pipeline/data/codebook-<template>.csv``.

    The eras are listed in pipeline/templates/registry.py; an unknown one raises KeyError.
    """
    path = resources.files("pipeline.data").joinpath(f"codebook-{template}.csv")
    if not re.fullmatch(r"[a-z0-9_]+", template) or not path.is_file():
        raise KeyError(f"no codebook for template {template!r}")
    text = path.read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    cells = tuple(
        CodebookCell(
            section=r["section"],
            item=r["item"],
            column=r["column"],
            item_label=r["item_label"],
            column_label=r["column_label"],
            unit=r["unit"],
            relation_to_2021=r.get("relation_to_2021") or "",
        )
        for r in rows
    )
    return Codebook(template=template, cells=cells)
