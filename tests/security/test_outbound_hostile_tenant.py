"""The outbound door attacked again as a hostile tenant would: what a connection to a tenant's
host leaves behind, and whether a tenant's host can change how other connections to the same
name behave (another tenant's port, the platform's own storage)."""

from __future__ import annotations

import http.server
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import urllib3
from urllib3.util import connection as urllib3_connection

from exporthub import outbound
from tests.support.hostile import forgets_tenant_hosts, hostile_server
from tests.support.services import SERVER_POLL_SECONDS

__all__ = ["forgets_tenant_hosts"]  # autouse here: tenant hosts are process-wide


@contextmanager
def listener(host: str) -> Iterator[tuple[int, list[socket.socket]]]:
    """A server on loopback that accepts and keeps what it accepted (to read what arrives)."""
    server = socket.create_server((host, 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        server.close()
        for conn in accepted:
            conn.close()


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_it_a_tenant_storage_that_takes_many_connections_leaves_no_descriptor_or_thread_behind(
    settings: Any,
) -> None:
    """An endpoint that closes every connection after one answer makes the SDK open one per
    request; each connection, once closed, must give back its descriptor and its watcher."""
    host = "127.0.0.21"
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [host]
    settings.TENANT_CONNECTION_SECONDS = 300.0
    outbound.trust_tenant_host(host, "ENDPOINT_URL_ALLOWED_HOSTS")
    before, threads = _descriptors(), threading.active_count()
    with listener(host) as (port, _):
        for _ in range(60):
            urllib3_connection.create_connection((host, port), timeout=5).close()
    # The listener and what it accepted are closed by now: what is left is the client's.
    kept, watchers = _descriptors() - before, threading.active_count() - threads
    assert kept <= 2 and watchers <= 2, (
        f"60 closed connections left {kept} descriptors and {watchers} threads open"
    )


def test_it_a_closed_connection_to_a_tenant_host_is_really_closed(settings: Any) -> None:
    """The tenant's server sees the end of a connection the SDK closed (not one held open, in
    CLOSE_WAIT on our side, for TENANT_CONNECTION_SECONDS)."""
    host = "127.0.0.22"
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [host]
    settings.TENANT_CONNECTION_SECONDS = 300.0
    outbound.trust_tenant_host(host, "ENDPOINT_URL_ALLOWED_HOSTS")
    with listener(host) as (port, accepted):
        urllib3_connection.create_connection((host, port), timeout=5).close()
        for _ in range(100):  # until the listener's thread has accepted it
            if accepted:
                break
            time.sleep(0.02)
        accepted[0].settimeout(3)
        try:
            end = accepted[0].recv(1)
        except TimeoutError:
            end = None
    assert end == b"", "the connection stayed open after the client closed it"


def test_it_one_tenant_tarpit_does_not_cool_down_another_tenant_endpoint_on_the_same_host(
    settings: Any,
) -> None:
    """Two tenants' endpoints on one host the operator allows (a shared in-house store with an
    instance per port): the tarpit on one port must not refuse the other tenant's port."""
    host = "127.0.0.23"
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [host]
    settings.TENANT_CONNECTION_SECONDS = 2.0
    outbound.trust_tenant_host(host, "ENDPOINT_URL_ALLOWED_HOSTS")
    with hostile_server("drip", host=host) as tarpit, listener(host) as (healthy, _):
        dripping = urllib3_connection.create_connection((host, tarpit.port), timeout=10)
        dripping.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(2.5)  # cut while dripping: the tarpit's host is cooled down
        dripping.close()
        try:
            urllib3_connection.create_connection((host, healthy), timeout=5).close()
        except outbound.HeldTooLong as exc:
            pytest.fail(f"the other tenant's endpoint was refused: {exc}")


@contextmanager
def healthy_storage(host: str) -> Iterator[int]:
    """A store that answers every request at once, on connections kept alive."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_it_a_busy_healthy_storage_is_not_cut_and_cooled_down_like_a_tarpit(
    settings: Any,
) -> None:
    """An export's pooled connection to a tenant's store, answering each request at once, that
    is still in use when it turns TENANT_CONNECTION_SECONDS old: its answers came 'lately', so
    today it is taken for a tarpit, and the host (with every tenant and the platform naming
    it) is refused for as long again."""
    host = "127.0.0.25"
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [host]
    settings.TENANT_CONNECTION_SECONDS = 2.0
    outbound.trust_tenant_host(host, "ENDPOINT_URL_ALLOWED_HOSTS")
    answers: list[str] = []
    with healthy_storage(host) as port, urllib3.HTTPConnectionPool(host, port, maxsize=1) as pool:
        for _ in range(8):  # one request every 0.4 s, each answered at once: 3.2 s of work
            try:
                answers.append(str(pool.request("GET", "/part", retries=False).status))
            except (urllib3.exceptions.HTTPError, outbound.HeldTooLong) as exc:
                answers.append(type(exc).__name__)
            time.sleep(0.4)
    assert answers == ["200"] * 8, answers
