"""Every HTTP exchange of a crawl as WARC records (request + response; a 304 as a revisit).

The middleware sits closer to the downloader than decompression and the conditional-request
middleware, so it sees what went over the wire: content-encoded bodies, and 304s as 304s. Scrapy
hands over parsed headers, so status lines are rebuilt and chunking is gone: a reconstructed WARC,
good for provenance and replay (`warcio check` verifies its digests), not a byte-exact capture.
"""

from __future__ import annotations

import base64
import hashlib
from http import HTTPStatus
from io import BytesIO
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.http import Headers, Request, Response
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.crawl.context import CrawlerComponent, context_of
from pipeline.crawl.items import META_REVALIDATED

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# The body Scrapy hands over is already de-chunked, so the header would misdescribe it.
_DROPPED_HEADERS = {"transfer-encoding"}


def _header_list(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        if name.decode("latin-1").lower() not in _DROPPED_HEADERS
        for value in values
    ]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _warc_date(iso: str) -> str:
    return iso.replace("+00:00", "Z")


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for a body (sha1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class WarcMiddleware(CrawlerComponent):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    def writer(self) -> WARCWriter:
        if self._writer is None:
            ctx = context_of(self.crawler)
            path = ctx.archive.warc_dir / ctx.warc_name
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("ab")
            self._writer = WARCWriter(self._file, gzip=True)
            info = {"software": "nianbao (Scrapy + warcio)", "format": "WARC File Format 1.0"}
            self._writer.write_record(self._writer.create_warcinfo_record(path.name, info))
        return self._writer

    def process_response(self, request: Request, response: Response) -> Response:
        writer = self.writer()
        if response.status == HTTPStatus.NOT_MODIFIED and request.meta.get(META_REVALIDATED):
            record = self._revisit(writer, request, response)
        else:
            record = self._response(writer, response)
        writer.write_record(record)
        writer.write_record(self._request(writer, request, record.rec_headers.get_header("WARC-Record-ID")))
        assert self._file is not None
        self._file.flush()  # a killed crawl keeps every exchange written so far
        return response

    def _http_headers(self, response: Response) -> StatusAndHeaders:
        return StatusAndHeaders(
            f"{response.status} {_reason(response.status)}",
            _header_list(response.headers),
            protocol=response.protocol or "HTTP/1.1",
        )

    def _response(self, writer: WARCWriter, response: Response) -> ArcWarcRecord:
        return writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=self._http_headers(response),
        )

    def _revisit(self, writer: WARCWriter, request: Request, response: Response) -> ArcWarcRecord:
        """A 304: the body is the one archived before (server-not-modified profile)."""
        ctx = context_of(self.crawler)
        previous = ctx.state.get(request.url)
        body = ctx.archive.get(request.meta[META_REVALIDATED])
        return writer.create_revisit_record(
            response.url,
            payload_digest(body),
            response.url,
            _warc_date(previous.fetched_at) if previous else "",
            http_headers=self._http_headers(response),
        )

    def _request(self, writer: WARCWriter, request: Request, concurrent_to: str) -> ArcWarcRecord:
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [("Host", parts.netloc), *_header_list(request.headers)]
        http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
        return writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(request.body),
            length=len(request.body),
            http_headers=http,
            warc_headers_dict={"WARC-Concurrent-To": concurrent_to},
        )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None
