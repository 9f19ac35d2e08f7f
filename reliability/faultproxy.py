"""A proxy in front of a storage stand-in (S3, Azure or GCS) that answers some requests with the
faults clouds produce: 500, 503 SlowDown / ServerBusy, 429, silence past the client's timeout, a
reset connection, or a slow (but correct) answer."""

from __future__ import annotations

import http.client
import json
import random
import socket
import ssl
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.standins import relay

KINDS = ("500", "503", "429", "timeout", "reset", "slow")
# Error bodies as S3 and Azure write them; the SDKs read the code from them.
BODIES = {
    "500": ("InternalError", "We encountered an internal error. Please try again."),
    "503": ("SlowDown", "Please reduce your request rate."),
    "429": ("TooManyRequests", "Too many requests."),
}
AZURE_CODES = {"500": "InternalError", "503": "ServerBusy", "429": "ServerBusy"}


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
    upstream: tuple[str, int], plan: FaultPlan, upstream_tls: ssl.SSLContext | None, cloud: str
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
            code, message = BODIES[str(status)]
            if cloud == "azure":
                code = AZURE_CODES[str(status)]
            content_type, payload = (
                "application/xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                    f"<Message>{message}</Message></Error>"
                ).encode(),
            )
            if cloud == "gcs":
                error = {"code": status, "message": message, "errors": [{"reason": code}]}
                content_type, payload = "application/json", json.dumps({"error": error}).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if cloud == "azure":
                self.send_header("x-ms-error-code", code)
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
    upstream_url: str, plan: FaultPlan, cloud: str, certificate: tuple[Path, Path] | None = None
) -> Iterator[str]:
    """Serve on a free loopback port; yield its URL. With a certificate, TLS on both sides."""
    scheme, _, rest = upstream_url.partition("://")
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.partition(":")
    upstream_tls = None
    if scheme == "https":
        upstream_tls = ssl.create_default_context(
            cafile=str(certificate[0]) if certificate else None
        )
    handler = _handler((host, int(port)), plan, upstream_tls, cloud)
    server = _Server(("127.0.0.1", 0), handler)
    if certificate is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
