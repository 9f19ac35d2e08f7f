"""A relay in front of the S3 stand-in, on loopback: it refuses one part number of every
multipart upload as S3 does once the upload is gone (404 NoSuchUpload, which the SDK does not
retry), and tells when each part went through."""

from __future__ import annotations

import http.client
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from tests.support.services import SERVER_POLL_SECONDS
from tests.support.standins import relay

NO_SUCH_UPLOAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code>'
    b"<Message>The specified upload does not exist.</Message></Error>"
)


@dataclass
class PartRelay:
    url: str
    refuse: int = 0  # the part number answered NoSuchUpload, every attempt (0: none)
    refused: list[str] = field(default_factory=list)
    # Part number -> set once the stand-in accepted such a part.
    passed: defaultdict[int, threading.Event] = field(
        default_factory=lambda: defaultdict(threading.Event)
    )


@contextmanager
def part_relay(upstream: str) -> Iterator[PartRelay]:
    target = urlparse(upstream)
    state = PartRelay(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            found = re.search(r"[?&]partNumber=(\d+)", self.path)
            part = int(found.group(1)) if found and self.command == "PUT" else 0
            if part and part == state.refuse:
                state.refused.append(self.path)
                self.send_response(404)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(NO_SUCH_UPLOAD)))
                self.end_headers()
                self.wfile.write(NO_SUCH_UPLOAD)
                return
            conn = http.client.HTTPConnection(str(target.hostname), target.port, timeout=30)
            relay(self, conn, body, drop_headers=("connection", "expect"))
            if part:
                state.passed[part].set()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
