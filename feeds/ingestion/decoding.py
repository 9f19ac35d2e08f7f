"""The fast path of ingestion: a batch in which every event is well formed is decoded and typed
in one compiled pass (msgspec), column checks included; anything else returns None and goes
through the reference parser (parsing.py with validation.py), which finds every error.

The fast path accepts a subset of what the reference path accepts and produces the same values
(tests/feeds/test_ingest_decoding.py compares the two). Where msgspec is laxer than our rules it
is given plain types and the reference checks run on the values (times, decimals), or the batch
is handed over whole (a key given twice, a NUL escape, a 64-bit id sent as a string)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from types import GenericAlias
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..schema.columns import INT_RANGES, Column, stored_columns
from .validation import ValueProblem, checker

# A key's closing quote and its colon with whitespace between: the duplicate-key count below
# counts `":` only, so such a body goes to the reference path.
SPACED_COLON = re.compile(rb'"[ \t\r\n]+:')
REFUSED = (msgspec.DecodeError, msgspec.ValidationError, ValueProblem)


def _field_type(column: Column) -> Any:
    """What msgspec checks itself, in C; Any and str are checked afterwards by `checker`."""
    if column.type in INT_RANGES:
        low, high = INT_RANGES[column.type]
        typed: Any = Annotated[int, Meta(ge=low, le=high)]
    elif column.type == "string":
        typed = Annotated[str, Meta(max_length=column.max_length)]
    elif column.type == "bool":
        typed = bool
    elif column.type == "timestamp":
        # msgspec's RFC 3339 reader takes "t"/"z" and rounds past microseconds; ours does not.
        typed = str
    else:  # decimal: a JSON number stays exact (float_hook) and is checked with its scale
        return Any
    return typed | None | UnsetType if column.nullable else typed


@cache
def _decoders(feed: str) -> tuple[msgspec.json.Decoder[Any], msgspec.json.Decoder[Any]]:
    """One decoder for a JSON line, one for a JSON array. A nullable field left out decodes
    as UNSET rather than None, so the keys present can be counted."""
    fields = []
    for column in stored_columns(feed):
        typed = _field_type(column)
        # A required column has no default: msgspec refuses the event without it.
        fields.append((column.name, typed, UNSET) if column.nullable else (column.name, typed))
    event = msgspec.defstruct(
        f"{feed}_event", fields, kw_only=True, forbid_unknown_fields=True, gc=False
    )
    options: dict[str, Any] = {"strict": True, "float_hook": Decimal}
    events = GenericAlias(list, (event,))  # list[event], of a class made at run time
    return msgspec.json.Decoder(event, **options), msgspec.json.Decoder(events, **options)


def _decimal(column: Column) -> Callable[[Any], Any]:
    """The reference check, after a shortcut for the plain text most clients send: at most the
    digits and places the column allows, which that check would accept as Decimal(text)."""
    places = rf"(?:\.[0-9]{{1,{column.scale}}})?" if column.scale else ""
    plain = re.compile(rf"-?[0-9]{{1,{column.precision - column.scale}}}{places}")
    matches, check = plain.fullmatch, checker(column)

    def decimal(value: Any) -> Any:
        if type(value) is str and matches(value):
            return Decimal(value)
        return check(value)

    return decimal


@cache
def _after_checks(feed: str) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """The columns msgspec only shapes, with the reference check that types them."""
    columns = enumerate(stored_columns(feed))
    return tuple(
        (index, _decimal(column) if column.type == "decimal" else checker(column))
        for index, column in columns
        if column.type in ("timestamp", "decimal")
    )


@cache
def _nullable(feed: str) -> tuple[int, ...]:
    return tuple(i for i, column in enumerate(stored_columns(feed)) if column.nullable)


def decode_events(feed: str, body: bytes) -> list[tuple[Any, ...]] | None:
    """Every event as a tuple in column order, or None: the reference path decides."""
    if b"\\u0000" in body or SPACED_COLON.search(body):
        return None
    line_decoder, array_decoder = _decoders(feed)
    try:
        if body.lstrip().startswith(b"["):
            events = array_decoder.decode(body)
        else:
            decode = line_decoder.decode
            events = [decode(line) for line in body.splitlines() if line.strip()]
    except REFUSED:
        return None
    if not events:
        return None
    # Column by column: msgspec and zip transpose in C, and a check runs only where needed.
    columns = list(zip(*map(msgspec.structs.astuple, events), strict=True))
    present = len(events) * len(columns)
    for index in _nullable(feed):  # only a nullable field may be left out
        values = columns[index]
        missing = values.count(UNSET)
        if missing:
            present -= missing
            columns[index] = tuple(None if value is UNSET else value for value in values)
    # msgspec keeps the last of two equal keys; the reference path refuses them. Every key ends
    # in `":` (no spaced colon, checked above), so more of those than fields present means a
    # key given twice, or only `":` inside a string: either way, the reference path decides.
    if body.count(b'":') != present:
        return None
    try:
        for index, check in _after_checks(feed):
            columns[index] = tuple(map(check, columns[index]))
    except ValueProblem:
        return None
    return list(zip(*columns, strict=True))
