"""How long a connection to a tenant's storage may live, and what a tarpit costs.

A server dripping its answer a byte at a time defeats every per-read timeout, so a connection to
a host a tenant chose (an S3-compatible Endpoint URL) is shut down TENANT_CONNECTION_SECONDS
after it opened, whatever it is doing; the SDK retries the request it cut. When the cut finds the
server still answering a request sent long ago, that host and port are cooled down for as long
again in this process: the door refuses to connect there (`HeldTooLong`, which no SDK retries),
so a tarpit costs a worker one cut per cool-down, not one per SDK retry. A server counts as
still answering when data kept arriving long after the last request went out, or when the answer
to a request sent long ago was still not complete (`awaiting`, kept by `answers`): a tarpit that
drips slower than the limit sends nothing between two cuts, and would otherwise look like a
connection idle in a pool.

A cut connection ends like an answer that is complete (a clean end of the stream, and TLS's
missing close_notify is forgiven), so each cut is recorded (`was_cut`): `answers` turns the end
of an answer read from a cut connection into an error, never into a short success.

One watcher thread keeps every connection's end in a heap. It holds no descriptor of its own:
at the end it asks whether the descriptor still names the same socket (its inode), and only then
shuts it down through a short-lived duplicate. A connection the SDK closed earlier is simply
closed, and its server sees the end at once.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import struct
import threading
import time
from collections import OrderedDict

_lock = threading.Condition()
_cooling: dict[tuple[str, int], float] = {}  # (host, port) -> monotonic end of its cool-down
_ends: list[tuple[float, int, int, int, str, int, float]] = []  # due, n, fd, inode, host, port, s
# (fd, inode) of each watched connection -> whether a request on it awaits its complete answer
_awaiting: dict[tuple[int, int], bool] = {}
# (fd, inode) of the connections cut lately, oldest first: a socket's inode is not given again
# while the system runs, so a key read after its socket closed still names that one socket.
_cut: OrderedDict[tuple[int, int], None] = OrderedDict()
_CUTS_KEPT = 4096
_numbers = itertools.count()
_watcher: threading.Thread | None = None


def cooling(host: str, port: int) -> float:
    """Seconds left of the host and port's cool-down (0 or less: none)."""
    with _lock:
        return _cooling.get((host.lower().rstrip("."), port), 0.0) - time.monotonic()


def watch(sock: socket.socket, host: str, port: int, seconds: float) -> None:
    """End this connection `seconds` from now if it is still open then."""
    global _watcher
    fd = sock.fileno()
    entry = (time.monotonic() + seconds, next(_numbers), fd, os.fstat(fd).st_ino,
             host.lower().rstrip("."), port, seconds)  # fmt: skip
    with _lock:
        heapq.heappush(_ends, entry)
        _awaiting[(fd, entry[3])] = False
        if _watcher is None or not _watcher.is_alive():
            _watcher = threading.Thread(target=_watch, name="tenant-connections", daemon=True)
            _watcher.start()
        _lock.notify()


def awaiting(sock: socket.socket, waits: bool) -> None:
    """Record whether a request on this connection awaits its complete answer (for watched
    connections only: a request went out, or the connection went back to its pool)."""
    try:
        fd = sock.fileno()
        key = (fd, os.fstat(fd).st_ino)
    except (OSError, ValueError):
        return
    with _lock:
        if key in _awaiting:
            _awaiting[key] = waits


def key(sock: socket.socket | None) -> tuple[int, int] | None:
    """The key of a watched connection (a tenant's), or None for any other socket."""
    try:
        fd = sock.fileno() if sock is not None else -1
        found = (fd, os.fstat(fd).st_ino) if fd >= 0 else None
    except (OSError, ValueError):
        return None
    with _lock:
        return found if found in _awaiting or found in _cut else None


def was_cut(found: tuple[int, int]) -> bool:
    """Whether the connection with this key was cut at its limit."""
    with _lock:
        return found in _cut


def _watch() -> None:
    while True:
        with _lock:
            while not _ends or _ends[0][0] > time.monotonic():
                _lock.wait(timeout=_ends[0][0] - time.monotonic() if _ends else None)
            _, _, fd, inode, host, port, seconds = heapq.heappop(_ends)
        _end(fd, inode, host, port, seconds)


def _end(fd: int, inode: int, host: str, port: int, seconds: float) -> None:
    with _lock:
        waits = _awaiting.pop((fd, inode), False)
    try:
        if os.fstat(fd).st_ino != inode:
            return  # closed, and the number given to another file since
        duplicate = socket.socket(fileno=os.dup(fd))
    except OSError:
        return  # closed already
    with duplicate:
        if os.fstat(duplicate.fileno()).st_ino != inode:
            return
        with _lock:  # before the cut: its reader must never see the end first
            _cut[(fd, inode)] = None
            while len(_cut) > _CUTS_KEPT:
                _cut.popitem(last=False)
        if _still_answering(duplicate, seconds, waits):
            with _lock:
                _cooling[(host, port)] = time.monotonic() + seconds
        with contextlib.suppress(OSError):
            duplicate.shutdown(socket.SHUT_RDWR)


# struct tcp_info (linux/tcp.h): eight one-byte fields and nine u32, then tcpi_last_data_sent,
# tcpi_last_ack_sent, tcpi_last_data_recv (milliseconds since data last left, and arrived).
_LAST_DATA_SENT_OFFSET = 8 + 9 * 4
_LAST_DATA_RECV_OFFSET = _LAST_DATA_SENT_OFFSET + 2 * 4


def _still_answering(sock: socket.socket, seconds: float, waits: bool) -> bool:
    """Whether the server was still answering a request sent more than half the connection's
    life ago (False where TCP_INFO is not known): data kept arriving long after the request,
    or the request still awaits its complete answer. A connection idle in a pool got its whole
    answer right after its last request; a busy one sends request after request: neither is a
    tarpit, even on a host other tenants share. A tarpit's answer is never complete, however
    slowly it drips."""
    tcp_info = getattr(socket, "TCP_INFO", None)
    if tcp_info is None:
        return False
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, tcp_info, 104)
    except OSError:
        return False
    if len(info) < _LAST_DATA_RECV_OFFSET + 4:
        return False
    (last_sent,) = struct.unpack_from("I", info, _LAST_DATA_SENT_OFFSET)
    (last_received,) = struct.unpack_from("I", info, _LAST_DATA_RECV_OFFSET)
    half = seconds * 1000 / 2
    return bool(last_sent - last_received > half or (waits and last_sent > half))
