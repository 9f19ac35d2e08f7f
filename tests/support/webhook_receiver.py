"""A real HTTPS webhook receiver on loopback: it verifies Standard Webhooks signatures with the
`standardwebhooks` library, keeps each event once per `webhook-id`, and answers as told."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .services import SERVER_POLL_SECONDS
from .standins import self_signed_certificate


@dataclass
class Receiver:
    url: str
    ca_bundle: Path
    secret: str = ""
    # What to answer, in turn; the last one repeats. ("sleep", s) waits s seconds first.
    answers: list[Any] = field(default_factory=lambda: [200])
    requests: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by webhook-id
    bad_signatures: int = 0

    def answer(self) -> Any:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {key.lower(): value for key, value in self.headers.items()}
            receiver.requests.append({"path": self.path, "headers": headers, "body": body})
            answer = receiver.answer()
            if isinstance(answer, tuple):
                time.sleep(answer[1])
                answer = 200
            if receiver.secret and "webhook-id" in headers:
                try:
                    event = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError:
                    receiver.bad_signatures += 1
                    answer = 401
                else:
                    if answer < 300:  # kept once, however often it is redelivered
                        receiver.events.setdefault(headers["webhook-id"], event)
            elif answer < 300:
                receiver.events.setdefault(str(len(receiver.events)), json.loads(body))
            try:
                self.send_response(answer)
                self.end_headers()
            except OSError:  # the sender gave up waiting
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def webhook_receiver(
    folder: Path, certificate: tuple[Path, Path] | None = None
) -> Iterator[Receiver]:
    """A receiver with a new certificate in `folder`, or the one given (certificate, key)."""
    cert, key = certificate or self_signed_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(
        url=f"https://localhost:{server.server_address[1]}/hooks/exporthub", ca_bundle=cert
    )
    server.RequestHandlerClass = _handler(receiver)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
