"""Rows of the four tables, from documents, report groups and parsed reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pipeline.agency import AgencyIdentity
from pipeline.datasets.documents import Document
from pipeline.datasets.grouping import ReportGroup
from pipeline.parse import PARSER_VERSION
from pipeline.report import KIND_MISSING, Report

Row = dict[str, Any]


def report_row(group: ReportGroup, report: Report, text_path: str) -> Row:
    primary = group.primary
    fetch = primary.fetch
    return {
        "report_id": group.report_id,
        "agency_id": group.agency_id,
        **_agency(primary.identity),
        "title": report.title or fetch.title or None,
        "url": fetch.url,
        "page_url": primary.page_url,
        "published_date": _date(primary.published),
        "fetched_at": _timestamp(primary.first_fetched_at),
        "source_format": report.source_format,
        "template": report.template,
        "status": report.status,
        "n_facts": len(report.facts),
        "n_missing": sum(f.kind == KIND_MISSING for f in report.facts),
        "checks_failed": report.checks_failed,
        "n_documents": len(group.documents),
        "content_sha256": fetch.sha256,
        "source_sha256": [doc.fetch.sha256 for doc in group.documents],
        "raw_path": primary.raw_path,
        "text_path": text_path,
        "parser_version": PARSER_VERSION,
        **_agency_evidence(primary.identity),
        "warnings": list(report.warnings),
    }


def fact_rows(group: ReportGroup, report: Report) -> list[Row]:
    return [
        {
            "report_id": group.report_id,
            "agency_id": group.agency_id,
            "template": report.template,
            "section": f.section,
            "item": f.item,
            "column": f.column,
            "value": _float(f.value),
            "unit": f.unit,
            "kind": f.kind,
            "raw_value": f.raw,
            "raw_label": f.raw_label or None,
            "imputed_value": _float(f.imputed_value),
            "imputed_reason": f.imputed_reason,
            "method": f.method,
            "confidence": f.confidence,
        }
        for f in report.facts
    ]


def check_rows(group: ReportGroup, report: Report) -> list[Row]:
    return [
        {
            "report_id": group.report_id,
            "agency_id": group.agency_id,
            "rule": c.rule,
            "scope": c.scope or None,
            "ok": c.ok,
            "expected": _float(c.expected),
            "actual": _float(c.actual),
            "detail": c.detail,
        }
        for c in report.checks
    ]


def document_row(doc: Document) -> Row:
    fetch, parsed = doc.fetch, doc.parsed
    assert parsed is not None
    return {
        "document_id": doc.document_id,
        "agency_id": doc.agency_id,
        "report_id": doc.report_id,
        "role": doc.role,
        "url": fetch.url,
        "parent_url": fetch.parent_url or None,
        "kind": fetch.kind,
        "content_sha256": fetch.sha256,
        "raw_path": doc.raw_path,
        "http_status": fetch.status,
        "content_type": fetch.content_type or None,
        "size": fetch.size,
        "filename": fetch.filename or None,
        "first_fetched_at": _timestamp(doc.first_fetched_at),
        "last_fetched_at": _timestamp(doc.last_fetched_at),
        "n_fetches": doc.n_fetches,
        "site_id": fetch.site_id or None,
        "registry_agency": fetch.agency or None,
        "registry_region_code": fetch.region_code or None,
        "link_title": fetch.title or None,
        "published_date": _date(doc.published),
        "publisher": fetch.publisher or None,
        "index_no": fetch.index_no or None,
        "doc_number": fetch.doc_number or None,
        "status": parsed.status,
        "error": parsed.error,
        "source_format": parsed.source_format,
        "template": parsed.template,
        "parsed_year": parsed.year,
        "parsed_agency": parsed.agency_full or parsed.agency,
        "parsed_title": parsed.title,
        "n_found": parsed.n_found,
        "checks_failed": parsed.checks_failed,
        "warnings": parsed.warnings,
        **_agency_evidence(doc.identity),
        "parser_version": PARSER_VERSION,
    }


def _agency(identity: AgencyIdentity | None) -> Row:
    assert identity is not None
    return {
        "agency_name": identity.agency_name,
        "agency_type": identity.agency_type or None,
        "scope": identity.scope or None,
        "region_code": identity.region_code or None,
        "region_name": identity.region_name or None,
        "level": identity.level or None,
    }


def _agency_evidence(identity: AgencyIdentity | None) -> Row:
    assert identity is not None
    return {
        "raw_names": list(identity.raw_names),
        "org_code": identity.org_code or None,
        "uscc": identity.uscc or None,
        "site_id_code": identity.site_id_code or None,
        "agency_resolved": identity.resolved,
        "agency_warnings": list(identity.warnings),
    }


def _float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:  # blank, or a date the site got wrong (2024-02-30)
        return None


def _timestamp(text: str) -> datetime | None:
    """FetchRecord times are ISO 8601 in UTC; a time without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
