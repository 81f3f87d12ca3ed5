"""The one item the spider yields: a fetched body with what the site said about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.archive import FetchRecord

KIND_LIST = "list"  # a list page (archived for provenance, never parsed as a report)
KIND_PAGE = "page"  # a detail page
KIND_ATTACHMENT = "attachment"
DOCUMENT_KINDS = (KIND_PAGE, KIND_ATTACHMENT)


@dataclass
class FetchedItem:
    record: FetchRecord  # `sha256` and `size` are filled in by the archive pipeline
    body: bytes = field(repr=False)
    requested_url: str = ""  # the link followed, when a redirect led elsewhere
    etag: str = ""
    last_modified: str = ""
    report_links: int = -1  # list pages: report links recognised on the page


# Request meta keys the spider sets and the middlewares read.
META_SITE = "nianbao_site"  # registry id of the site a request belongs to
META_KIND = "nianbao_kind"  # KIND_LIST, KIND_PAGE or KIND_ATTACHMENT
META_TRUSTED = "nianbao_trusted"  # URL built by an adapter (paging, year enumeration), not found in a page
META_REVALIDATED = "nianbao_revalidated"  # validators of an archived copy were sent
