"""The agency of a document: every hint the fetch record and the parse give, handed to resolve_agency
(which never raises: an agency it cannot place gets a deterministic `x-…` id and warnings). The
document's own names decide; the registry's agency and region are hints (docs/agency-ids.md). The
发布机构 is the page's, or else the one the document's own metadata gives (a JSON article's dept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.agency import AgencyHints, AgencyIdentity, resolve_agency
from pipeline.archive import FetchRecord

if TYPE_CHECKING:
    from pipeline.datasets.documents import Parsed


def identify(fetch: FetchRecord, parsed: Parsed) -> AgencyIdentity:
    return resolve_agency(
        AgencyHints(
            registry_agency=fetch.agency,
            registry_region_code=fetch.region_code,
            registry_level=fetch.level,
            title_agency=parsed.agency,
            agency_full=parsed.agency_full,
            publisher=fetch.publisher or parsed.publisher,
            preamble=parsed.preamble,
            signature=parsed.signature,
            index_no=fetch.index_no,
            site_id_code=fetch.site_id_code,
            year=parsed.year,
            url=fetch.url,
        )
    )
