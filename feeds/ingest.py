"""Parsing an ingestion request body: a JSON array, or JSON lines (one object per line)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .validation import RowError, clean_row

MAX_REPORTED_ERRORS = 1000


class DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON parsers disagree on which of two equal keys wins; we refuse to guess.
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(f"Invalid JSON: the key {key[:100]!r} appears twice.")
            seen.add(key)
    return found


# Decimals stay exact; NaN and Infinity are refused by the column checks. One decoder for every
# line: json.loads with options would build a new one per call, a tenth of parsing a line.
_DECODER = json.JSONDecoder(parse_float=Decimal, object_pairs_hook=_unique_keys)
_loads = _DECODER.decode


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, DuplicateKey):
        return str(exc)
    return "Invalid JSON: too deeply nested or a number too long."


def parse_events(feed: str, body: bytes) -> tuple[list[tuple[Any, ...]], list[RowError]]:
    """Valid rows in order, and every error found (line = array position or line number)."""
    errors: list[RowError] = []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return [], [RowError(0, "", "The body is not UTF-8.")]
    if not text.strip():
        return [], [RowError(0, "", "The body holds no events.")]
    if text.lstrip().startswith("["):
        try:
            items = _loads(text)
        except json.JSONDecodeError as exc:
            return [], [RowError(exc.lineno, "", f"Invalid JSON: {exc.msg}.")]
        except (ValueError, RecursionError) as exc:
            return [], [RowError(0, "", _unreadable(exc))]
        numbered = list(enumerate(items, start=1))
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                numbered.append((number, _loads(line)))
            except json.JSONDecodeError as exc:
                errors.append(RowError(number, "", f"Invalid JSON: {exc.msg}."))
            except (ValueError, RecursionError) as exc:
                errors.append(RowError(number, "", _unreadable(exc)))
    if not numbered and not errors:  # "[]", or only blank lines
        return [], [RowError(0, "", "The body holds no events.")]
    rows = []
    for number, item in numbered:
        row = clean_row(feed, number, item, errors)
        if row is not None:
            rows.append(row)
    return rows, errors[:MAX_REPORTED_ERRORS]
