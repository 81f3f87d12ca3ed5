"""CMS-family adapters, chosen by the registry's `cms` key or detected from a list page."""

from __future__ import annotations

from scrapy.http import TextResponse

from spiders.adapters.api import EpointAdapter, SpaJsonAdapter
from spiders.adapters.base import Adapter, PageRef
from spiders.adapters.files import AttachmentListAdapter
from spiders.adapters.hanweb import HanwebAdapter, ZhejiangAnnualAdapter
from spiders.adapters.others import EmpireAdapter, GuangdongAdapter, KaipuyunAdapter, VsbAdapter
from spiders.adapters.trs import TrsAdapter

# Detection order: the most specific markers first, the generic adapter last.
FAMILIES: tuple[Adapter, ...] = (
    ZhejiangAnnualAdapter(),
    HanwebAdapter(),
    TrsAdapter(),
    VsbAdapter(),
    EmpireAdapter(),
    KaipuyunAdapter(),
    GuangdongAdapter(),
    EpointAdapter(),
    SpaJsonAdapter(),
    AttachmentListAdapter(),  # by the shape of its links: after every family known by its markers
)
GENERIC = Adapter()
ADAPTERS: dict[str, Adapter] = {a.name: a for a in (*FAMILIES, GENERIC)}


def adapter_for(cms: str | None) -> Adapter | None:
    """The adapter a registry `cms` key names (None: detect it from the first list page)."""
    return ADAPTERS[cms] if cms else None


def detect(response: TextResponse) -> Adapter:
    return next((a for a in FAMILIES if a.matches(response)), GENERIC)


def detect_url(url: str) -> Adapter | None:
    """The family a start URL alone gives away (Zhejiang's annual-report module, Hanweb columns)."""
    return next((a for a in FAMILIES if any(m.decode() in url for m in a.markers)), None)


__all__ = ["ADAPTERS", "GENERIC", "Adapter", "PageRef", "adapter_for", "detect", "detect_url"]
