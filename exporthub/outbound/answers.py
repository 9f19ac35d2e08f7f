"""Whether a request on a connection to a tenant's host still awaits its complete answer.

Every SDK sends its requests through urllib3's HTTPConnection and gives a connection back to its
pool only once the answer is complete, so both are marked here, for all of them: a request's
bytes going out (awaiting; marked as they are sent, since botocore waits for an answer to
`Expect: 100-continue` before `request` returns), a connection back in its pool (not).
`lifetimes` reads the mark when it cuts a connection: a tarpit dripping slower than the limit
sends nothing between two cuts, so only the mark tells it from a connection resting in a pool.
"""

from __future__ import annotations

from typing import Any

from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool

from . import lifetimes

_send = HTTPConnection.send
_put_conn = HTTPConnectionPool._put_conn


def _sent(conn: HTTPConnection, data: Any) -> None:
    _send(conn, data)
    if conn.sock is not None:
        lifetimes.awaiting(conn.sock, True)


def _rests(pool: HTTPConnectionPool, conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        lifetimes.awaiting(sock, False)
    _put_conn(pool, conn)


def install() -> None:
    """Mark requests and returns to a pool from now on (idempotent)."""
    HTTPConnection.send = _sent  # type: ignore[method-assign,assignment]
    HTTPConnectionPool._put_conn = _rests  # type: ignore[method-assign,assignment]
