"""Local stand-ins of the clouds, each in its own process on loopback; started or failed loudly."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
# Azurite's well-known development account (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@contextmanager
def _process(
    args: list[str], port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[None]:
    with log.open("w") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        try:
            wait_for_port(port, timeout=60)
        except RuntimeError:
            process.kill()
            raise RuntimeError(f"{args[0]} did not start: {log.read_text()[-2000:]}") from None
        try:
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def moto_server(workdir: Path) -> Iterator[str]:
    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with _process(args, port, workdir / f"moto-{port}.log"):
        yield f"http://127.0.0.1:{port}"


def enforce_iam(url: str) -> None:
    """From now on moto checks every request against IAM (real AccessDenied etc.)."""
    request = urllib.request.Request(
        f"{url}/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request, timeout=10).close()


def self_signed_certificate(
    folder: Path, stem: str = "azurite", addresses: tuple[str, ...] = ("127.0.0.1",)
) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (or `addresses`) and localhost, so HTTPS-only SAS
    tokens work as on Azure."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    san = x509.SubjectAlternativeName(
        [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
        + [x509.DNSName("localhost")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{stem}-cert.pem", folder / f"{stem}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass(frozen=True)
class Azurite:
    endpoint: str  # with {account}, as AZURE_BLOB_ENDPOINT
    ca_bundle: Path


@contextmanager
def azurite(workdir: Path, certificate: tuple[Path, Path] | None = None) -> Iterator[Azurite]:
    """Azurite over HTTPS, with `certificate` (certificate, key) or a new one of its own."""
    binary = ROOT / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        raise RuntimeError("Azurite is not installed: run `npm ci` (make test does).")
    cert, key = certificate or self_signed_certificate(workdir)
    port = free_port()
    args = [
        str(binary), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--location", str(workdir / "azurite"), "--skipApiVersionCheck", "--disableTelemetry",
        "--cert", str(cert), "--key", str(key), "--silent",
    ]  # fmt: skip
    # Azurite fetches copy sources from itself, over the same HTTPS.
    with _process(args, port, workdir / "azurite.log", env={"NODE_EXTRA_CA_CERTS": str(cert)}):
        yield Azurite(endpoint=f"https://127.0.0.1:{port}/{{account}}", ca_bundle=cert)


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


def relay(
    handler: BaseHTTPRequestHandler,
    conn: http.client.HTTPConnection,
    body: bytes,
    drop_headers: tuple[str, ...] = ("connection",),
) -> None:
    """Send the request `handler` received to `conn`, and the answer back, unchanged."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in drop_headers}
    conn.request(handler.command, handler.path, body=body or None, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    handler.send_response(answer.status)
    for key, value in answer.getheaders():
        if key.lower() not in ("transfer-encoding", "connection", "content-length"):
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)
    conn.close()


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
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def gcs_emulator(workdir: Path) -> Iterator[GCSStandIn]:
    port = free_port()
    args = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1",
            "--port", str(port), "--in-memory"]  # fmt: skip
    faults = Faults()
    with (
        _process(args, port, workdir / "gcs-emulator.log"),
        _serve(_TokenHandler) as token_port,
        _serve(_IamCredentialsHandler) as iam_port,
        _serve(_proxy_handler(port, faults)) as proxy_port,
    ):
        yield GCSStandIn(
            host=f"http://127.0.0.1:{proxy_port}",
            direct=f"http://127.0.0.1:{port}",
            token_uri=f"http://127.0.0.1:{token_port}/token",
            faults=faults,
            iam_endpoint=f"http://127.0.0.1:{iam_port}",
        )
