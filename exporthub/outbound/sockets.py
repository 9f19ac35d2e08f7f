"""Where every SDK and `requests` open their sockets: urllib3's `create_connection`.

botocore, google-cloud-storage (through requests), azure-storage-blob (through requests) and our
webhooks all connect through it, so two rules hold for all of them in one place:

- A tenant's host is checked when the socket is opened, and the socket goes to the address that
  was checked: no second DNS answer between the check and the connection (rebinding), and no
  parser that connects elsewhere than the check looked. A host is a tenant's when it was named
  with `trust_tenant_host` (an S3 Endpoint URL), or when the connection is opened in a thread
  under a `Deadline` given `allowed` (a webhook: every connection in it is the tenant's).
- A connection to a tenant's host lives at most TENANT_CONNECTION_SECONDS, and a tarpit's host
  is cooled down (`lifetimes`, told by `answers` which requests still await their answer).
- A `Deadline` is a total wall-clock bound: when it passes, every socket opened under it is shut
  down (whatever a slow server is dripping) and every new one is refused with `DeadlinePassed`.
  A Deadline without `allowed` covers sockets from every thread of the process (the S3 SDK
  uploads from its own threads); Celery runs one task at a time in each worker process.
  Under `interrupts()` the main thread itself is stopped at the deadline, wherever it waits: an
  SDK may sleep between retries of the request the deadline cut (Azure's first back-off is 15 s).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Container, Iterator
from concurrent.futures import CancelledError
from types import TracebackType
from typing import Any

from django.conf import settings
from urllib3.util import connection as urllib3_connection

from . import answers, endings, lifetimes
from .addresses import DNS_SECONDS, is_public, resolve


class Refused(OSError):
    """A tenant's host led to an address it may not reach (an OSError: SDKs report a connection
    error, and our error mapping makes it a transient one)."""


class DeadlinePassed(CancelledError):
    """The deadline passed before this connection. A cancellation, not an OSError: botocore,
    requests, google-api-core and azure-core pass it up without retrying it."""


class HeldTooLong(CancelledError):
    """A tenant's host held a connection past TENANT_CONNECTION_SECONDS while it was still
    sending; it is not connected to again until its cool-down ends."""


_lock = threading.Lock()
_tenant_hosts: dict[str, str] = {}  # host -> the setting listing the hosts the operator allows
_deadlines: list[Deadline] = []
_create_connection = urllib3_connection.create_connection


def trust_tenant_host(host: str, allowed_setting: str) -> None:
    """Connections to `host` are a tenant's from now on: checked when opened (hosts in the
    operator's list, the setting named, are connected to as named)."""
    install()
    with _lock:
        _tenant_hosts[host.lower()] = allowed_setting


class Deadline:
    """A total wall-clock bound on every connection opened under it (see the module's words)."""

    def __init__(self, seconds: float, *, allowed: Container[str] | None = None) -> None:
        self.seconds, self.allowed = seconds, allowed
        self.ends = time.monotonic() + seconds
        self.thread = threading.get_ident() if allowed is not None else None
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._passed = threading.Event()

    @property
    def passed(self) -> bool:
        return self._passed.is_set() or time.monotonic() >= self.ends

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def __enter__(self) -> Deadline:
        install()
        with _lock:
            _deadlines.append(self)
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with _lock:
            _deadlines.remove(self)
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()

    @contextlib.contextmanager
    def interrupts(self) -> Iterator[None]:
        """In the main thread, raise DeadlinePassed wherever the code under it is when the
        deadline passes (elsewhere, the sockets' shutdown alone ends the wait)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        if self.passed:
            raise DeadlinePassed(f"the {self.seconds:g} s deadline passed")

        def stop(signum: int, frame: Any) -> None:
            raise DeadlinePassed(f"the {self.seconds:g} s deadline passed")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, max(self.remaining(), 0.001))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def covers(self) -> bool:
        return self.thread is None or self.thread == threading.get_ident()

    def keep(self, sock: socket.socket) -> None:
        """Hold a second descriptor of the socket: shutdown() through it ends the connection
        even after TLS has taken the first one over."""
        duplicate = sock.dup()
        with _lock:
            if not self._passed.is_set():
                self._sockets.append(duplicate)
                return
        duplicate.close()
        raise DeadlinePassed(f"the {self.seconds:g} s deadline passed")

    def _expire(self) -> None:
        with _lock:
            self._passed.set()
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _connect(
    address: tuple[str, int], timeout: Any = None, *args: Any, **kwargs: Any
) -> socket.socket:
    host, port = address
    with _lock:
        deadlines = [deadline for deadline in _deadlines if deadline.covers()]
        setting = _tenant_hosts.get(host.lower().rstrip("."))
    cooling = lifetimes.cooling(host, port) if setting is not None else 0.0
    allowed: Container[str] | None = None if setting is None else getattr(settings, setting)
    if setting is not None and cooling > 0:
        raise HeldTooLong(
            f"the storage held a connection too long; trying again in {cooling:.0f} s"
        )
    for deadline in deadlines:
        if deadline.passed:
            raise DeadlinePassed(f"the {deadline.seconds:g} s deadline passed")
        if deadline.allowed is not None:
            allowed = deadline.allowed
        if isinstance(timeout, int | float):  # connecting cannot outlast what is left
            timeout = min(timeout, max(deadline.remaining(), 0.001))
    if allowed is not None and host not in allowed:
        lookup = min([DNS_SECONDS, *(deadline.remaining() for deadline in deadlines)])
        address = (_checked(host, port, lookup), port)
        for deadline in deadlines:  # the tenant's DNS may have taken what was left
            if deadline.passed:
                raise DeadlinePassed(f"the {deadline.seconds:g} s deadline passed")
    sock = _create_connection(address, timeout, *args, **kwargs)
    if setting is not None:  # a tenant's storage: held no longer than this, whatever it does
        lifetimes.watch(sock, host, port, settings.TENANT_CONNECTION_SECONDS)
    try:
        for deadline in deadlines:
            deadline.keep(sock)
    except DeadlinePassed:
        sock.close()
        raise
    return sock


def _checked(host: str, port: int, seconds: float) -> str:
    """The one address of a tenant's host to connect to, checked now."""
    try:
        addresses = resolve(host, port, seconds)
    except (OSError, UnicodeError):
        raise Refused(f"the host {host} could not be resolved") from None
    if not addresses or not all(is_public(address) for address in addresses):
        raise Refused("the host resolves to a private, loopback, link-local or reserved address")
    return addresses[0]


def install() -> None:
    """Open every socket through the door, and check every answer's end, from now on (each
    process at its start; idempotent)."""
    with _lock:
        urllib3_connection.create_connection = _connect
        answers.install()
        endings.install()
