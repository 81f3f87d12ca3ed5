"""The one schema every source produces: a parsed report with its facts, checks and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Status of a parsed document.
STATUS_OK = "ok"  # a report, every cell of its template found
STATUS_PARTIAL = "partial"  # a report, some cells or tables missing
STATUS_NOT_REPORT = "not_report"  # a document that is not an annual report
STATUS_FAILED = "failed"  # the bytes could not be read

# Kind of a cell as published.
KIND_NUMBER = "number"
KIND_EMPTY = "empty"  # blank
KIND_NOT_APPLICABLE = "not_applicable"  # "/", "—", "不适用", "无" …
KIND_TEXT = "text"  # anything else that is not a number
KIND_MISSING = "missing"  # the cell was not found in the document at all


@dataclass
class Fact:
    """One cell of a template, as published."""

    section: str
    item: str
    column: str
    value: float | int | None
    kind: str
    raw: str
    unit: str = "count"
    raw_label: str = ""
    method: str = "text"  # "text" (born-digital) or "ocr"
    confidence: float | None = None
    imputed_value: float | int | None = None
    imputed_reason: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.section, self.item, self.column)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "section": self.section,
            "item": self.item,
            "column": self.column,
            "value": self.value,
            "kind": self.kind,
            "raw": self.raw,
        }
        if self.imputed_value is not None:
            out["imputed_value"] = self.imputed_value
            out["imputed_reason"] = self.imputed_reason
        if self.method != "text":
            out["method"] = self.method
            out["confidence"] = self.confidence
        return out


@dataclass
class Check:
    """One evaluation of a template rule (for one row, column or item)."""

    rule: str
    ok: bool
    detail: str
    scope: str = ""  # e.g. "column:natural_person", "row:disclosed", "item:administrative_review"
    expected: float | None = None
    actual: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "ok": self.ok, "detail": self.detail}


@dataclass
class Report:
    source: str
    status: str = STATUS_FAILED
    template: str | None = None
    year: int | None = None
    agency: str | None = None
    agency_full: str | None = None
    title: str | None = None
    facts: list[Fact] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    # Beyond the CLI contract: what downstream stages (archive, datasets) need.
    source_format: str | None = None
    text: str = ""
    template_evidence: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def checks_failed(self) -> list[str]:
        return sorted({c.rule for c in self.checks if not c.ok})

    def fact(self, section: str, item: str, column: str) -> Fact:
        """The fact of one cell; KeyError naming the cell when the report has none."""
        for f in self.facts:
            if f.section == section and f.item == item and f.column == column:
                return f
        raise KeyError((section, item, column))

    def to_json(self) -> dict[str, Any]:
        """The exact object of `nianbao parse --json`."""
        return {
            "source": self.source,
            "status": self.status,
            "template": self.template,
            "year": self.year,
            "agency": self.agency,
            "agency_full": self.agency_full,
            "title": self.title,
            "facts": [f.to_json() for f in self.facts],
            "checks": [c.to_json() for c in self.checks],
            "warnings": list(self.warnings),
            "error": self.error,
        }

    def to_record(self) -> dict[str, Any]:
        """Everything, for storage (the parse cache, JSON lines).

        Built by hand: `dataclasses.asdict` deep-copies 200 facts and cost a quarter of a parse.
        """
        record = dict(vars(self))
        record["facts"] = [dict(vars(f)) for f in self.facts]
        record["checks"] = [dict(vars(c)) for c in self.checks]
        record["warnings"] = list(self.warnings)
        record["template_evidence"] = list(self.template_evidence)
        record["metadata"] = dict(self.metadata)
        return record

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Report:
        data = dict(data)
        data["facts"] = [Fact(**f) for f in data.get("facts", [])]
        data["checks"] = [Check(**c) for c in data.get("checks", [])]
        return cls(**data)
