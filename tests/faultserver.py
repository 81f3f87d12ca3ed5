"""A fault-injecting HTTP server for the crawl's tests: loopback only, every answer scripted.

`FaultServer(host)` serves `routes` (path -> `Answer`) on `host` (127.0.0.1, or 127.0.0.2 and
::1 standing in for internal services) at a free port, in a thread, and logs each request with
its arrival time (monotonic). An `Answer` is plain bytes with a status and headers, or one of
the faults: a delay, a dropped connection, a body shorter than its Content-Length, a hang.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering (a hang, when longer than the client waits)
    drop: bool = False  # close the connection without a response
    truncate: int = 0  # send this many bytes fewer than Content-Length, then close


# An answer that depends on how often the path was asked (n = 1 for the first request).
Script = Callable[[int], Answer]


@dataclass
class Hit:
    path: str
    at: float  # time.monotonic() when it arrived


@dataclass
class FaultServer:
    host: str = "127.0.0.1"
    routes: dict[str, Answer | Script] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # handle_error: a client that hangs up on a fault is the point, not a traceback.
        attributes = {"address_family": family, "daemon_threads": True, "handle_error": _quiet}
        server_class = type("Server", (ThreadingHTTPServer,), attributes)
        self.server = server_class((self.host, 0), _handler(self))
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def netloc(self) -> str:
        port = self.server.server_address[1]
        return f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.netloc}"

    def answer(self, path: str) -> Answer:
        with self._lock:
            self.hits.append(Hit(path, time.monotonic()))
            n = sum(hit.path == path for hit in self.hits)
        route = self.routes.get(path, Answer(b"not found", status=404))
        return route(n) if callable(route) else route

    def times(self, path: str) -> list[float]:
        return [hit.at for hit in self.hits if hit.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _quiet(*_args: object) -> None:
    pass


def ipv6_loopback() -> bool:
    """Whether this machine can listen on ::1 (some containers have no IPv6)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def _handler(owner: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            answer = owner.answer(self.path)
            if answer.delay:
                time.sleep(answer.delay)
            if answer.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body[: len(answer.body) - answer.truncate])
            if answer.truncate:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            """Requests are in `FaultServer.hits`, not on stderr."""

    return Handler
