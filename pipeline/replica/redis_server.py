"""A throw-away `redis-server` on 127.0.0.1 for the tests and benchmarks of shared crawls.

server = start_redis(workdir)      # a free port, data in `workdir`, nothing saved to disk
server.url                         # redis://127.0.0.1:PORT/0
server.stop()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

READY = b"Ready to accept connections"


class RedisUnavailable(RuntimeError):
    """redis-server is not installed (Debian package redis-server) or did not start."""


@dataclass
class LocalRedis:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(workdir: str | Path) -> LocalRedis:
    """Start redis-server and return once it says it accepts connections (read from its log)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailable("redis-server not found: install the Debian package redis-server")
    port = free_port()
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir)]
    command += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    log = b""
    for line in process.stdout:  # ends when the server exits
        log += line
        if READY in line:  # after this it logs a few lines at shutdown only: the pipe never fills
            return LocalRedis(f"redis://127.0.0.1:{port}/0", process)
    process.wait()
    raise RedisUnavailable(f"redis-server exited: {log.decode(errors='replace')[-500:]}")
