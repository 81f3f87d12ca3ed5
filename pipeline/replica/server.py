"""The replica HTTP server: serves a `Layout` on 127.0.0.1 and logs every request it receives.

Static resources carry an ETag and a Last-Modified and answer conditional requests with 304, as
real CMS front ends (nginx in front of static TRS pages) do.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from pipeline.replica.layout import Layout, Resource

_NOT_FOUND = Resource(b"<html><body><h1>404 Not Found</h1></body></html>", status=404)
_SERVER_ERROR = Resource(b"<html><body><h1>500 Internal Server Error</h1></body></html>", status=500)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    target: str  # path and query as requested
    host: str
    status: int
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, layout: Layout, last_modified: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.layout = layout
        self.last_modified = formatdate(last_modified, usegmt=True)
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        # socketserver types the host as str | bytes; an AF_INET server's is always a str.
        return f"http://{host!s}:{port}"

    def resource(self, target: str, params: dict[str, str]) -> Resource:
        routes = self.layout.routes
        path = urlsplit(target).path
        found = routes.get(target) or (routes.get(target + "index.html") if target.endswith("/") else None)
        if found is None and path in self.layout.dynamic:
            found = self.layout.dynamic[path](params)
        if found is None:
            return _NOT_FOUND
        with self._lock:
            failed = self._failures.get(target, 0)
            if failed < found.fail_first:
                self._failures[target] = failed + 1
                return _SERVER_ERROR
        return found

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)


class _Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer({})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))
        self._answer(form)

    def _answer(self, form: dict[str, str]) -> None:
        if self.path == "/robots.txt":
            self._send(200, self.server.layout.robots.encode("utf-8"), "text/plain; charset=utf-8")
            return
        params = {**dict(parse_qsl(urlsplit(self.path).query)), **form}
        resource = self.server.resource(self.path, params)
        if resource.slow:
            time.sleep(resource.slow)
        if resource.status in (301, 302):
            self._send(
                resource.status, b"", "text/html", [("Location", self.server.base_url + resource.location)]
            )
            return
        etag = '"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'
        validators = [("ETag", etag), ("Last-Modified", self.server.last_modified)]
        if resource.status == 200 and self.command == "GET" and self._unchanged(etag):
            self._send(304, b"", "", validators)
            return
        extra = list(resource.headers) + (
            validators if resource.status == 200 and self.command == "GET" else []
        )
        self._send(resource.status, resource.body, resource.content_type, extra)

    def _unchanged(self, etag: str) -> bool:
        if self.headers.get("If-None-Match"):
            return self.headers["If-None-Match"] == etag
        return self.headers.get("If-Modified-Since") == self.server.last_modified

    def _send(
        self, status: int, body: bytes, content_type: str, headers: list[tuple[str, str]] | None = None
    ) -> None:
        self.server.record(
            LoggedRequest(
                self.command, self.path, self.headers.get("Host", ""), status, dict(self.headers.items())
            )
        )
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers or []:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Requests go to `ReplicaServer.log`, not to stderr."""
