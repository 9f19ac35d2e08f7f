"""Whether a request on a connection to a tenant's host still awaits its complete answer.

Every SDK sends its requests through urllib3's HTTPConnection and gives a connection back to its
pool only once the answer is complete, so both are marked here, for all of them: a request's
bytes going out (awaiting; marked as they are sent, since botocore waits for an answer to
`Expect: 100-continue` before `request` returns), a connection back in its pool (not).
`lifetimes` reads the mark when it cuts a connection: a tarpit dripping slower than the limit
sends nothing between two cuts, so only the mark tells it from a connection resting in a pool.

A connection the door cuts ends like a complete answer: the headers end where the stream ends
(a dripped `200 OK` becomes a bodiless success), and a body without a length ends there too. So
an answer read from a cut connection is an error here, for every SDK: its head (`Cut` from
getresponse), and the end of a body that runs until the connection closes. A body with a length
or in chunks that ends early is urllib3's IncompleteRead already.
"""

from __future__ import annotations

from typing import Any

from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import ProtocolError
from urllib3.response import HTTPResponse

from . import lifetimes

_send = HTTPConnection.send
_put_conn = HTTPConnectionPool._put_conn
_getresponse = HTTPConnection.getresponse
_raw_read = HTTPResponse._raw_read
_KEY = "_exporthub_connection"  # the watched connection an answer is read from


class Cut(ProtocolError):
    """The storage's answer was cut at the connection's limit before it was complete (a
    ProtocolError: the SDKs report a closed connection, a transient error, and retry)."""


def _cut() -> Cut:
    return Cut("the storage held the connection too long; its answer was cut short")


def _sent(conn: HTTPConnection, data: Any) -> None:
    _send(conn, data)
    if conn.sock is not None:
        lifetimes.awaiting(conn.sock, True)


def _rests(pool: HTTPConnectionPool, conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        lifetimes.awaiting(sock, False)
    _put_conn(pool, conn)


def _answer(conn: HTTPConnection) -> HTTPResponse:
    key = lifetimes.key(conn.sock)  # now: a "Connection: close" answer takes the socket away
    response = _getresponse(conn)
    if key is not None:
        if lifetimes.was_cut(key):
            response.close()
            raise _cut()
        setattr(response, _KEY, key)
    return response


def _read(response: HTTPResponse, amt: int | None = None, **kwargs: Any) -> bytes:
    data = _raw_read(response, amt, **kwargs)
    key = getattr(response, _KEY, None)
    until_closed = response.length_remaining is None and not response.chunked
    if key is not None and until_closed and (amt is None or not data) and lifetimes.was_cut(key):
        raise _cut()
    return data


def install() -> None:
    """Mark requests and returns to a pool, and check answers, from now on (idempotent)."""
    HTTPConnection.send = _sent  # type: ignore[method-assign,assignment]
    HTTPConnectionPool._put_conn = _rests  # type: ignore[method-assign,assignment]
    HTTPConnection.getresponse = _answer  # type: ignore[method-assign,assignment]
    HTTPResponse._raw_read = _read  # type: ignore[method-assign,assignment]
