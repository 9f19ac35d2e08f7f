"""What every cloud's stand-in is built from: a process on loopback started or failed loudly, a
server in a thread, a relay of requests, and a throwaway HTTPS certificate. Each cloud's own
stand-in is in its test folder (tests/integrations/destinations/<kind>/)."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .services import SERVER_POLL_SECONDS, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def background_process(
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


def relay(
    handler: BaseHTTPRequestHandler,
    conn: http.client.HTTPConnection,
    body: bytes,
    drop_headers: tuple[str, ...] = ("connection",),
    relay_url: str | None = None,
) -> None:
    """Send the request `handler` received to `conn`, and the answer back unchanged: a HEAD
    with the length the upstream declared (the object's), and, given the relay's own
    `relay_url`, a Location pointing back at the relay (a resumable upload's next requests)."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in drop_headers}
    try:
        conn.request(handler.command, handler.path, body=body or None, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    handler.send_response(answer.status)
    for key, value in answer.getheaders():
        if relay_url and key.lower() == "location":
            value = relay_url + urlsplit(value)._replace(scheme="", netloc="").geturl()
        if key.lower() not in ("transfer-encoding", "connection", "content-length"):
            handler.send_header(key, value)
    declared = answer.getheader("Content-Length") if handler.command == "HEAD" else None
    handler.send_header("Content-Length", declared or str(len(data)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
