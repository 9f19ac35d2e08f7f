"""A bucket that answers reads of its objects with a body of gigabytes: a relay on loopback in
front of the S3 or GCS stand-in, passing every request on except a GET of an object, which it
answers itself with `size` bytes streamed as long as the client reads them."""

from __future__ import annotations

import http.client
import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .services import SERVER_POLL_SECONDS
from .standins import relay

GiB = 1024 * 1024 * 1024
BLOCK = b"\0" * (64 * 1024)


@dataclass
class HugeBucket:
    url: str
    sent: int = 0  # bytes of huge bodies written
    answered: int = 0  # object reads answered with a huge body


@contextmanager
def huge_bucket(
    upstream: str,
    host: str = "127.0.0.2",
    size: int = 4 * GiB,
    huge: Callable[[str, str], bool] | None = None,
) -> Iterator[HugeBucket]:
    """Reads of objects (or the requests `huge` picks by method and path) answered with `size`
    bytes; everything else relayed to `upstream`."""
    target = urlsplit(upstream)

    class Relay(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _is_object_read(self) -> bool:
            # S3's GET /bucket/key, GCS's GET …/o/key?alt=media
            path = urlsplit(self.path)
            media = "alt=media" in path.query.split("&")
            keyed = not path.query and path.path.strip("/").count("/") > 0
            return self.command == "GET" and (media or keyed)

        def _huge(self) -> None:
            state.answered += 1
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            with suppress(OSError):  # the client hung up: what it should do
                while state.sent < size:
                    self.wfile.write(BLOCK)
                    state.sent += len(BLOCK)
            self.close_connection = True

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            upstream = http.client.HTTPConnection(
                target.hostname or "127.0.0.1", target.port, timeout=30
            )
            relay(self, upstream, body, drop_headers=("expect",))

        def _handle(self) -> None:
            if huge(self.command, self.path) if huge else self._is_object_read():
                self._huge()
            else:
                self._relay()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Relay)
    server.daemon_threads = True
    state = HugeBucket(url=f"http://{host}:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
