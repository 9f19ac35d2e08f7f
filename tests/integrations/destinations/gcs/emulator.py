"""The GCS stand-in's processes on loopback: the emulator behind a proxy that injects faults and
enforces grants, Google's token endpoint and the IAM Credentials API."""

from __future__ import annotations

import http.client
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.services import free_port
from tests.support.standins import background_process, relay, serve


class _TokenHandler(BaseHTTPRequestHandler):
    """Answers OAuth token requests the way Google's token endpoint does."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(
            {"access_token": "stand-in-token", "expires_in": 3600, "token_type": "Bearer"}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Faults:
    """What the proxy answers instead of forwarding: a status, for the next `count` requests."""

    status: int = 0
    reason: str = ""
    count: int = 0
    seen: list[str] = field(default_factory=list)
    # Bucket -> the service accounts granted on it: requests on such a bucket must carry a token
    # the IAM stand-in issued for one of them (as Google checks the caller's IAM bindings).
    grants: dict[str, set[str]] = field(default_factory=dict)

    def refused(self, path: str, authorization: str) -> bool:
        bucket = re.search(r"/b/([^/?]+)", path)
        if bucket is None or bucket.group(1) not in self.grants:
            return False
        caller = authorization.removeprefix("Bearer ").removeprefix(SEAT_TOKEN)
        return caller not in self.grants[bucket.group(1)]

    def take(self) -> tuple[int, str] | None:
        if self.count <= 0:
            return None
        self.count -= 1
        return self.status, self.reason


def _proxy_handler(upstream: int, faults: Faults) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            faults.seen.append(f"{self.command} {self.path}")
            fault = faults.take()
            if fault is None and faults.refused(self.path, self.headers.get("Authorization", "")):
                fault = (403, "forbidden")
            if fault:
                status, reason = fault
                error = {
                    "code": status,
                    "message": f"Injected {status}",
                    "errors": [{"reason": reason}],
                }
                payload = json.dumps({"error": error}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=30)
            relay(self, conn, body, drop_headers=("host", "connection"))

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        def log_message(self, *args: object) -> None:
            pass

    return Proxy


@dataclass(frozen=True)
class GCSStandIn:
    host: str  # for STORAGE_EMULATOR_HOST (through the fault proxy)
    direct: str  # the emulator itself
    token_uri: str
    faults: Faults
    iam_endpoint: str  # for GCS_IAM_CREDENTIALS_ENDPOINT


SEAT_TOKEN = "impersonated:"


class _IamCredentialsHandler(BaseHTTPRequestHandler):
    """generateAccessToken as the IAM Credentials API answers it, for the operator's token only."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        found = re.fullmatch(r"/v1/projects/-/serviceAccounts/([^/:]+):generateAccessToken",
                             self.path)  # fmt: skip
        operator = self.headers.get("Authorization") == "Bearer stand-in-token"
        if found is None or not operator:
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps({"accessToken": SEAT_TOKEN + found.group(1),
                           "expireTime": "2999-01-01T00:00:00Z"}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def gcs_emulator(workdir: Path) -> Iterator[GCSStandIn]:
    port = free_port()
    args = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1",
            "--port", str(port), "--in-memory"]  # fmt: skip
    faults = Faults()
    with (
        background_process(args, port, workdir / "gcs-emulator.log"),
        serve(_TokenHandler) as token_port,
        serve(_IamCredentialsHandler) as iam_port,
        serve(_proxy_handler(port, faults)) as proxy_port,
    ):
        yield GCSStandIn(
            host=f"http://127.0.0.1:{proxy_port}",
            direct=f"http://127.0.0.1:{port}",
            token_uri=f"http://127.0.0.1:{token_port}/token",
            faults=faults,
            iam_endpoint=f"http://127.0.0.1:{iam_port}",
        )
