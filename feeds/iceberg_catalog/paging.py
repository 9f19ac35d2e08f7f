"""The spec's list pagination: a client sending `pageToken` (empty for the first page) or
`pageSize` gets pages and a `next-page-token`; one sending neither gets the whole list."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.request import Request

DEFAULT_SIZE, MAX_SIZE = 100, 1000
# ASCII digits only (str.isdigit() also takes "²"), and few enough for int() and a bigint key.
NUMBER_RE = re.compile(r"[0-9]{1,18}")


def _number(raw: str, what: str) -> int:
    if not NUMBER_RE.fullmatch(raw):
        raise ParseError(f"{what} must be a whole number of at most 18 digits, not {raw[:40]!r}.")
    return int(raw)


def page(request: Request, keyed: list[tuple[int, Any]]) -> tuple[list[Any], str | None]:
    """The page of `keyed` (sorted by key) the request asks for, and the next page's token: the
    last key given, so a page stays right when tables are added or removed meanwhile."""
    token, size = request.query_params.get("pageToken"), request.query_params.get("pageSize")
    if token is None and size is None:
        return [item for _, item in keyed], None
    limit = min(_number(size, "pageSize"), MAX_SIZE) if size else DEFAULT_SIZE
    if limit < 1:
        raise ParseError("pageSize must be at least 1.")
    after = _number(token, "pageToken") if token else -1
    rest = [(key, item) for key, item in keyed if key > after]
    shown = rest[:limit]
    more = len(rest) > limit
    return [item for _, item in shown], str(shown[-1][0]) if more else None
