"""What a hostile tenant runs on loopback: a tarpit that drips its answer a byte at a time, a
server answering a huge body, a listener that counts who reached it, and a DNS it controls."""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .services import SERVER_POLL_SECONDS
from .standins import self_signed_certificate

MiB = 1024 * 1024


@dataclass
class Hostile:
    port: int
    scheme: str
    accepted: int = 0
    sent: int = 0  # bytes of answers written
    longest_held: float = 0.0  # seconds one connection was kept
    stopped: bool = False  # set: a drip ends and its connection is closed

    def url(self, host: str = "localhost", path: str = "/hook") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


def _read_head(conn: socket.socket) -> None:
    """The request line and headers (what follows is not read: the answer is the attack)."""
    conn.settimeout(10)
    seen = b""
    with suppress(OSError):
        while b"\r\n\r\n" not in seen and len(seen) < 64 * 1024:
            chunk = conn.recv(4096)
            if not chunk:
                return
            seen += chunk


def _serve(state: Hostile, mode: str, conn: socket.socket, options: dict[str, Any]) -> None:
    began = time.monotonic()
    try:
        if mode == "count":
            return
        _read_head(conn)
        if mode == "drip":  # headers that never end, one byte at a time
            answer = b"HTTP/1.1 200 OK\r\nX-Slowly: " + b"a" * 100_000
            for byte in answer:
                if state.stopped or time.monotonic() - began > options["drip_for"]:
                    return
                conn.sendall(bytes([byte]))
                state.sent += 1
                time.sleep(options["interval"])
        elif mode == "huge":
            size = options["huge_bytes"]
            conn.sendall(
                f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n".encode()
            )
            block = b"\0" * (64 * 1024)
            while state.sent < size:
                conn.sendall(block)
                state.sent += len(block)
    except OSError:  # the client hung up: what the door should do
        pass
    finally:
        state.longest_held = max(state.longest_held, time.monotonic() - began)
        with suppress(OSError):
            conn.close()


@contextmanager
def hostile_server(
    mode: str,
    tls_folder: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    certificate: tuple[Path, Path] | None = None,
    interval: float = 0.2,
    drip_for: float = 40.0,
    huge_bytes: int = 400 * MiB,
) -> Iterator[Hostile]:
    """`drip`, `huge` or `count`; over TLS (a certificate for localhost and 127.0.0.1) when
    `tls_folder` is given, whose `azurite-cert.pem` is then the CA bundle to trust (or with
    `certificate`, a certificate and key of the caller's)."""
    context = None
    if tls_folder is not None or certificate is not None:
        cert, key = certificate or self_signed_certificate(tls_folder or Path("."))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    options = {"interval": interval, "drip_for": drip_for, "huge_bytes": huge_bytes}

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            state.accepted += 1
            conn = self.request
            if context is not None:
                try:
                    conn = context.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    return
            _serve(state, mode, conn, options)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer((host, port), Handler)
    server.daemon_threads = True
    state = Hostile(port=server.server_address[1], scheme="https" if context else "http")
    thread = threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def attacker_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str]) -> None:
    """The tenant's own DNS for its names (the system resolver answers everything else)."""
    real = socket.getaddrinfo

    def getaddrinfo(name: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(name, str) and not name.isascii():  # as the socket module sends it
            name = name.encode("idna").decode("ascii")  # (Python's codec: IDNA 2003)
        if isinstance(name, str) and name.lower().rstrip(".") in answers:
            address = answers[name.lower().rstrip(".")]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            where = (address, port or 0, 0, 0) if ":" in address else (address, port or 0)
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", where)]
        return real(name, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def forgets_tenant_hosts() -> Iterator[None]:
    """The process's tenant hosts and cool-downs as they were before the test: they are
    process-wide, and a loopback stand-in named by one test is the next test's platform host.
    (Autouse in each module that imports it.)"""
    from exporthub.outbound import lifetimes, sockets

    with sockets._lock, lifetimes._lock:
        hosts, cooling = dict(sockets._tenant_hosts), dict(lifetimes._cooling)
    yield
    with sockets._lock, lifetimes._lock:
        sockets._tenant_hosts.clear()
        sockets._tenant_hosts.update(hosts)
        lifetimes._cooling.clear()
        lifetimes._cooling.update(cooling)
