"""A proxy in front of a cloud's stand-in that answers some requests with the faults clouds
produce: 500, 503 SlowDown / ServerBusy, 429, silence past the client's timeout, a reset
connection, or a slow (but correct) answer. Each cloud writes its errors its own way
(`LongRunCloud.fault_answer`, in its test folder)."""

from __future__ import annotations

import http.client
import random
import socket
import ssl
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.services import SERVER_POLL_SECONDS
from tests.support.standins import relay

KINDS = ("500", "503", "429", "timeout", "reset", "slow")
# The error code and message of each status, as S3 writes them; a cloud's `fault_answer` puts
# them in its own form (and its own codes); the SDKs read the code from it.
BODIES = {
    "500": ("InternalError", "We encountered an internal error. Please try again."),
    "503": ("SlowDown", "Please reduce your request rate."),
    "429": ("TooManyRequests", "Too many requests."),
}
# (status, code, message) -> content type, body, extra headers.
FaultAnswer = Callable[[int, str, str], tuple[str, bytes, dict[str, str]]]


@dataclass
class FaultPlan:
    """Which share of requests gets a fault; counts what was injected."""

    rate: float = 0.0
    silence_seconds: float = 5.0  # longer than the clients' read timeout
    slow_seconds: float = 0.5
    seed: int = 1
    injected: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - test traffic, not secrets

    def draw(self) -> str | None:
        with self._lock:
            self.requests += 1
            if self._random.random() >= self.rate:
                return None
            kind = self._random.choice(KINDS)
            self.injected[kind] += 1
            return kind

    @property
    def total(self) -> int:
        return sum(self.injected.values())


def _handler(
    upstream: tuple[str, int],
    plan: FaultPlan,
    upstream_tls: ssl.SSLContext | None,
    answer: FaultAnswer,
) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            kind = plan.draw()
            if kind in BODIES:
                self._error(int(kind))
                return
            if kind == "reset":
                # SO_LINGER 0: close sends RST, as a dropped connection does.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                return
            if kind == "timeout":
                time.sleep(plan.silence_seconds)
                self.close_connection = True
                return
            if kind == "slow":
                time.sleep(plan.slow_seconds)
            self._forward(body)

        def _error(self, status: int) -> None:
            content_type, payload, headers = answer(status, *BODIES[str(status)])
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _forward(self, body: bytes) -> None:
            host, port = upstream
            if upstream_tls is not None:
                conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                    host, port, timeout=60, context=upstream_tls
                )
            else:
                conn = http.client.HTTPConnection(host, port, timeout=60)
            # Host kept: S3 signs it.
            relay(self, conn, body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        def log_message(self, *args: object) -> None:
            pass

    return Proxy


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # A client killed mid-request (the chaos run's SIGKILL) resets its connection; expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def fault_proxy(
    upstream_url: str, plan: FaultPlan, answer: FaultAnswer, certificate: tuple[Path, Path]
) -> Iterator[str]:
    """Serve on a free loopback port; yield its URL. An HTTPS upstream gets TLS on both sides,
    with `certificate` (certificate, key)."""
    scheme, _, rest = upstream_url.partition("://")
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.partition(":")
    upstream_tls = None
    if scheme == "https":
        upstream_tls = ssl.create_default_context(cafile=str(certificate[0]))
    handler = _handler((host, int(port)), plan, upstream_tls, answer)
    server = _Server(("127.0.0.1", 0), handler)
    if upstream_tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
