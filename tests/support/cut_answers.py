"""An S3-compatible endpoint that stores nothing for one kind of upload request: a TLS relay on
loopback in front of the S3 stand-in, passing every other request on, and answering the chosen
one itself with a `200 OK` it never finishes (or finishes wrongly)."""

from __future__ import annotations

import http.client
import http.server
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .services import SERVER_POLL_SECONDS
from .standins import relay

# The upload requests, as S3 names them, told apart by method and query.
REQUESTS = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
# What the chosen request is answered with:
# - head: `200 OK` and a header that never ends, a byte at a time;
# - body: complete headers (no length), then the start of the XML, dripped;
# - cut-xml: complete headers (no length), the XML cut in the middle, then the server hangs up;
# - cut-head: the status line and part of a header, then the server hangs up.
ANSWERS = ("head", "body", "cut-xml", "cut-head")
XML_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Location>https://bucket/key</Location><Bucket>"
)


@dataclass
class CutEndpoint:
    url: str
    answered: int = 0  # chosen requests answered with the attack
    stopped: bool = False  # set: every drip ends


def operation(method: str, path: str) -> str:
    query = parse_qs(urlsplit(path).query, keep_blank_values=True)
    if method == "POST" and "uploads" in query:
        return "CreateMultipartUpload"
    if method == "POST" and "uploadId" in query:
        return "CompleteMultipartUpload"
    if method == "PUT" and "partNumber" in query:
        return "UploadPart"
    keyed = urlsplit(path).path.strip("/").count("/") > 0
    if method == "PUT" and keyed and not query:
        return "PutObject"
    return ""


@contextmanager
def cut_endpoint(
    upstream: str,
    certificate: tuple[Path, Path],
    request: str | Callable[[str, str], bool],
    answer: str = "head",
    *,
    host: str = "127.0.0.2",
    interval: float = 0.2,
    status: bytes = b"200 OK",
    times: int | None = None,
    upstream_ca: Path | None = None,
) -> Iterator[CutEndpoint]:
    """`request` (one of REQUESTS, or a test of method and path) answered as `answer` (one of
    ANSWERS) with `status`, the first `times` times (every time: None); the rest relayed to
    `upstream` (over TLS trusting `upstream_ca`, for https)."""
    target = urlsplit(upstream)
    chosen = request if callable(request) else lambda m, p: operation(m, p) == request
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)

    class Relay(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    data += self.rfile.read(size)
                    self.rfile.readline()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return data
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _drip(self, data: bytes) -> None:
            for byte in data:
                if state.stopped:
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(interval)

        def _attack(self) -> None:
            state.answered += 1
            self.close_connection = True
            first = b"HTTP/1.1 " + status + b"\r\n"
            head = first + b"Content-Type: application/xml\r\nConnection: close\r\n"
            with suppress(OSError):  # the client hung up: what it should do
                if answer == "cut-head":
                    self.wfile.write(first + b'ETag: "0x8D' + b"\r\nx-ms-request-server-enc")
                elif answer == "head":
                    self.wfile.write(first)
                    self._drip(b"X-Slowly: " + b"a" * 100_000)
                elif answer == "body":
                    self.wfile.write(head + b"\r\n")
                    self._drip(XML_START + b" " * 100_000)
                else:
                    self.wfile.write(head + b"\r\n" + XML_START)

        def _handle(self) -> None:
            body = self._body()
            if chosen(self.command, self.path) and (times is None or state.answered < times):
                self._attack()
                return
            conn = (
                http.client.HTTPSConnection(
                    target.hostname or "", target.port, timeout=30,
                    context=ssl.create_default_context(cafile=upstream_ca),
                )
                if target.scheme == "https"
                else http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
            )  # fmt: skip
            relay(self, conn, body, ("expect", "transfer-encoding", "content-length"), state.url)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[Any, Any]:
            conn, address = super().get_request()
            conn.settimeout(30)
            return context.wrap_socket(conn, server_side=True), address

    server = Server((host, 0), Relay)
    state = CutEndpoint(url=f"https://{host}:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True).start()
    try:
        yield state
    finally:
        state.stopped = True
        server.shutdown()
        server.server_close()
