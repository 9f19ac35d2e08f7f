"""Validating incoming rows against a feed's columns; every problem is reported, none is fixed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any

from ..schema.columns import INT_RANGES, Column, stored_columns

INTEGER_TEXT = re.compile(r"^-?\d{1,20}$")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class ValueProblem(Exception):
    pass


def _integer(column: Column, value: Any) -> int:
    # 64-bit ids are often sent as strings, since JavaScript numbers lose precision past 2**53.
    if isinstance(value, str) and INTEGER_TEXT.match(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueProblem(f"Expected an integer ({column.type}).")
    low, high = INT_RANGES[column.type]
    if not low <= value <= high:
        raise ValueProblem(f"Out of range for {column.type}.")
    return value


def _decimal(column: Column, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValueProblem("Expected a decimal number (a JSON number or a string).")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueProblem("Expected a decimal number.") from None
    if not number.is_finite():
        raise ValueProblem("Expected a finite decimal number.")
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent > column.scale:
        raise ValueProblem(f"At most {column.scale} decimal places.")
    if number.adjusted() + 1 > column.precision - column.scale:
        raise ValueProblem(f"At most {column.precision - column.scale} digits before the point.")
    return number


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueProblem("Expected an ISO 8601 time string.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueProblem("Expected an ISO 8601 time, e.g. 2026-11-22T10:15:00Z.") from None
    if parsed.tzinfo is None:
        raise ValueProblem("The time needs a timezone, e.g. Z or +00:00.")
    try:
        return parsed.astimezone(UTC)  # stored in UTC: its year must be 1 to 9999 there too
    except OverflowError:
        raise ValueProblem("The time is out of range: years 1 to 9999 in UTC.") from None


def _string(column: Column, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem("Expected a string.")
    if len(value) > column.max_length:
        raise ValueProblem(f"At most {column.max_length} characters.")
    if "\x00" in value:
        raise ValueProblem("NUL characters are not allowed.")
    return value


def _required(column: Column) -> ValueProblem:
    return ValueProblem("Required." if column.type != "bool" else "Required (true or false).")


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem("Expected true or false.")
    return value


def _typed(column: Column) -> Callable[[Any], Any]:
    """The check of one non-null value."""
    if column.type in INT_RANGES:
        return partial(_integer, column)
    if column.type == "decimal":
        return partial(_decimal, column)
    if column.type == "timestamp":
        return _timestamp
    if column.type == "bool":
        return _boolean
    return partial(_string, column)


@cache
def checker(column: Column) -> Callable[[Any], Any]:
    """A column's check, built once, in one call per value: the valid integer or string as it
    is, then null (allowed or required), then the typed check with its error messages."""
    typed, nullable = _typed(column), column.nullable

    def _null_or(value: None) -> None:
        if nullable:
            return None
        raise _required(column)

    if column.type in INT_RANGES:
        low, high = INT_RANGES[column.type]

        def integer(value: Any) -> Any:
            if type(value) is int and low <= value <= high:
                return value
            return _null_or(value) if value is None else typed(value)

        check = integer
    elif column.type == "string":
        longest = column.max_length

        def string(value: Any) -> Any:
            if type(value) is str and len(value) <= longest and "\x00" not in value:
                return value
            return _null_or(value) if value is None else typed(value)

        check = string
    else:

        def other(value: Any) -> Any:
            return _null_or(value) if value is None else typed(value)

        check = other
    return check


@cache
def _row_checks(feed: str) -> tuple[frozenset[str], tuple[tuple[str, Callable[[Any], Any]], ...]]:
    columns = stored_columns(feed)
    return frozenset(c.name for c in columns), tuple((c.name, checker(c)) for c in columns)


def clean_row(feed: str, line: int, data: Any, errors: list[RowError]) -> tuple[Any, ...] | None:
    """The row as a tuple in column order, or None after appending its errors."""
    if not isinstance(data, dict):
        errors.append(RowError(line, "", "Each event must be a JSON object."))
        return None
    known, checks = _row_checks(feed)
    problems = []
    if not data.keys() <= known:
        problems = [RowError(line, key, "Unknown field.") for key in data if key not in known]
    values = []
    get = data.get
    for name, check in checks:
        try:
            values.append(check(get(name)))
        except ValueProblem as problem:
            problems.append(RowError(line, name, str(problem)))
    errors.extend(problems)
    return None if problems else tuple(values)
