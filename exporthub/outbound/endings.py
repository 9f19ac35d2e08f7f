"""Where an answer ends: an answer that ends early is an error, never a short success.

http.client ends an answer's headers where the stream ends, blank line or not, and TLS forgives
a missing close_notify: a `200 OK` whose connection closed (or was cut by the door) inside its
headers reads as a complete, bodiless success, and an upload to a storage that stored nothing
was taken as stored (PutObject, CompleteMultipartUpload, Azure's Put Blob, GCS's last chunk).
So, for every SDK and every host:

- headers that end with the stream, before their blank line, are `RemoteDisconnected`;
- a body read until the connection closes (no length, no chunks) whose end is the door's cut of
  a tenant's connection (`lifetimes.was_cut`) is `Cut`.

Both are connection errors to the SDKs: transient, retried. A body with a length or in chunks
that ends early is urllib3's IncompleteRead already.

An answer never ends for a storage that streams gigabytes where a few bytes were asked for (a
bucket's metadata, a listing): past OUTBOUND_ANSWER_MAX_BYTES read of one answer, it is closed
and its request fails with `AnswerTooLarge`, which no SDK retries.
"""

from __future__ import annotations

import http.client
from concurrent.futures import CancelledError
from typing import Any

from django.conf import settings
from urllib3.connection import HTTPConnection
from urllib3.exceptions import ProtocolError
from urllib3.response import HTTPResponse

from . import lifetimes

_begin = http.client.HTTPResponse.begin
_getresponse = HTTPConnection.getresponse
_raw_read = HTTPResponse._raw_read
_KEY = "_exporthub_connection"  # the tenant's connection an answer is read from
_LEFT = "_exporthub_left"  # how much more of an answer may be read


class Cut(ProtocolError):
    """A tenant's connection was cut at its limit before its answer was complete (a
    ProtocolError: the SDKs report a closed connection, a transient error, and retry)."""


class AnswerTooLarge(CancelledError):
    """An answer ran past OUTBOUND_ANSWER_MAX_BYTES (a cancellation, as `HeldTooLong`: no SDK
    retries it, so a storage streaming gigabytes is read once, up to the limit)."""


class _Lines:
    """An answer's stream that remembers the last line read from it."""

    def __init__(self, fp: Any) -> None:
        self.fp = fp
        self.last: bytes | None = None

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self.fp.readline(limit)
        self.last = line
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fp, name)


def _head(response: http.client.HTTPResponse) -> None:
    fp = response.fp
    lines = response.fp = _Lines(fp)  # type: ignore[assignment]
    try:
        _begin(response)
    finally:
        if response.fp is lines:
            response.fp = fp
    if lines.last == b"":  # the headers' last line is the stream's end, not a blank line
        raise http.client.RemoteDisconnected("the connection closed inside the answer's headers")


def _answer(conn: HTTPConnection) -> HTTPResponse:
    key = lifetimes.key(conn.sock)  # now: a "Connection: close" answer takes the socket away
    response = _getresponse(conn)
    setattr(response, _LEFT, settings.OUTBOUND_ANSWER_MAX_BYTES)
    if key is not None:
        setattr(response, _KEY, key)
    return response


def _read(response: HTTPResponse, amt: int | None = None, **kwargs: Any) -> bytes:
    data = _raw_read(response, amt, **kwargs)
    left = getattr(response, _LEFT, None)
    if left is not None and data:
        setattr(response, _LEFT, left - len(data))
        if left < len(data):
            response.close()  # the rest is not read: the connection ends here
            raise AnswerTooLarge(
                f"the answer ran past {settings.OUTBOUND_ANSWER_MAX_BYTES} bytes "
                "(OUTBOUND_ANSWER_MAX_BYTES); the rest was not read"
            )
    key = getattr(response, _KEY, None)
    until_closed = response.length_remaining is None and not response.chunked
    if key is not None and until_closed and (amt is None or not data) and lifetimes.was_cut(key):
        raise Cut("the storage held the connection too long; its answer was cut short")
    return data


def install() -> None:
    """Check where answers end from now on (idempotent)."""
    http.client.HTTPResponse.begin = _head  # type: ignore[method-assign,assignment]
    HTTPConnection.getresponse = _answer  # type: ignore[method-assign,assignment]
    HTTPResponse._raw_read = _read  # type: ignore[method-assign,assignment]
