"""A store on loopback that answers every request at once on kept-alive connections, and counts
the connections it accepted (a connection cut at its limit shows as one more)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .services import SERVER_POLL_SECONDS


@dataclass
class HealthyStore:
    port: int
    accepted: int = 0


@contextmanager
def healthy_store(host: str) -> Iterator[HealthyStore]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            state.accepted += 1

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    state = HealthyStore(port=server.server_address[1])
    threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
