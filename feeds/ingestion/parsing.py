"""Parsing an ingestion request body: a JSON array, or JSON lines (one object per line). A
well-formed batch takes the compiled path (decoding.py); this reference path finds every error."""

from __future__ import annotations

import re
from typing import Any

import jiter

from .decoding import decode_events
from .validation import RowError, clean_row

MAX_REPORTED_ERRORS = 1000
POSITION = re.compile(r" at line (\d+) column \d+$")


def _loads(data: bytes) -> Any:
    """Decimals stay exact, NaN and Infinity are refused, and so is a key given twice: JSON
    parsers disagree on which of two equal keys wins, and we refuse to guess. jiter does all
    three in its Rust parser, in half the time of `json` with a pairs hook. Only keys are
    cached: values (ids, times) rarely repeat, and caching them made parsing slower."""
    return jiter.from_json(data, catch_duplicate_keys=True, float_mode="decimal",
                           allow_inf_nan=False, cache_mode="keys")  # fmt: skip


def _invalid(exc: ValueError, line: int) -> RowError:
    """jiter says where, as "… at line L column C"; the line is ours for JSON lines."""
    message = str(exc)
    found = POSITION.search(message)
    if found:
        message, line = message[: found.start()], line or int(found.group(1))
    # A key in a duplicate-key message is the client's own text, of any length.
    return RowError(line, "", f"Invalid JSON: {message[:200]}.")


def parse_events(feed: str, body: bytes) -> tuple[list[tuple[Any, ...]], list[RowError]]:
    """Valid rows in order, and every error found (line = array position or line number)."""
    rows = decode_events(feed, body) if _is_utf8(body) else None
    if rows is not None:  # a well-formed batch, in one compiled pass
        return rows, []
    return parse_reference(feed, body)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_reference(feed: str, body: bytes) -> tuple[list[tuple[Any, ...]], list[RowError]]:
    """`parse_events` value by value: every error of every event, in order."""
    errors: list[RowError] = []
    if not _is_utf8(body):  # one clear answer for the body, rather than an error per line
        return [], [RowError(0, "", "The body is not UTF-8.")]
    if not body.strip():
        return [], [RowError(0, "", "The body holds no events.")]
    if body.lstrip().startswith(b"["):
        try:
            items = _loads(body)
        except ValueError as exc:
            return [], [_invalid(exc, 0)]
        numbered = list(enumerate(items, start=1))
    else:
        numbered = []
        # Split as bytes: str.splitlines would also split at U+2028 and the like, which JSON
        # allows unescaped inside a string.
        for number, line in enumerate(body.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                numbered.append((number, _loads(line)))
            except ValueError as exc:
                errors.append(_invalid(exc, number))
    if not numbered and not errors:  # "[]", or only blank lines
        return [], [RowError(0, "", "The body holds no events.")]
    rows = []
    for number, item in numbered:
        row = clean_row(feed, number, item, errors)
        if row is not None:
            rows.append(row)
    return rows, errors[:MAX_REPORTED_ERRORS]
