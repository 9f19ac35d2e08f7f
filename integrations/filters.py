"""Row filters (`config.filters`): which rows of a feed an integration exports.

A filter is a list of conditions, all of which a row must meet (AND), each
`{"column", "op", "value"}` (`eq`, `ne`) or `{"column", "op", "values"}` (`in`, `not_in`),
naming a published column of the feed. Never SQL text: the columns come from the feed registry
and the values are typed, so the reader (feeds.runs.reading) turns them into a query whose
values are parameters. The web form takes the same conditions one per line
(`advertiser_id in 12, 34`), parsed here into that structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_CONDITIONS = 10
MAX_VALUES = 500  # per condition, and the most a line of the form may list
OPERATORS = ("eq", "ne", "in", "not_in")
LIST_OPERATORS = ("in", "not_in")
# Column types a condition may name: equality on timestamps or decimals means little.
FILTER_TYPES = ("int64", "int32", "string", "bool")
INT_RANGES = {"int64": (-(2**63), 2**63 - 1), "int32": (-(2**31), 2**31 - 1)}
# One value of a line and its comma: "quoted" (kept exactly, "" for a quote) or plain (trimmed).
VALUE_RE = re.compile(r'[ \t]*(?:"(?P<quoted>(?:[^"]|"")*)"[ \t]*|(?P<plain>[^,]*))(?P<comma>,|$)')


class FilterError(ValueError):
    """A filter that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class FilterColumn:
    """A column a condition may name: its published name, stored name, type and width."""

    name: str
    stored: str
    type: str
    max_length: int


# feed -> published name -> column, registered by the feeds app (which defines the columns) in
# its AppConfig.ready(), as catalog.COLUMN_NAMES is.
FILTER_COLUMNS: dict[str, dict[str, FilterColumn]] = {}


def filterable(feed: str) -> list[str]:
    return list(FILTER_COLUMNS.get(feed, {}))


def clean_filters(feed: str, value: Any) -> list[dict[str, Any]]:
    """The filter in its stored form (conditions in order, values deduplicated), or FilterError."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = typed_from_text(feed, parse_lines(value))
    if not isinstance(value, list):
        raise FilterError("Filters are a list of conditions.")
    if len(value) > MAX_CONDITIONS:
        raise FilterError(f"At most {MAX_CONDITIONS} conditions.")
    return [_condition(feed, number, item) for number, item in enumerate(value, 1)]


def _condition(feed: str, number: int, item: Any) -> dict[str, Any]:
    where = f"Condition {number}"
    if not isinstance(item, dict):
        raise FilterError(f"{where}: an object with column, op and value or values.")
    column_name, op = item.get("column"), item.get("op")
    columns = FILTER_COLUMNS.get(feed, {})
    if not isinstance(column_name, str) or column_name not in columns:
        shown = column_name if isinstance(column_name, str) else "?"
        raise FilterError(
            f"{where}: unknown column “{shown[:64]}”; this feed can be filtered on "
            + ", ".join(columns)
            + "."
        )
    if op not in OPERATORS:
        raise FilterError(f"{where}: op must be one of {', '.join(OPERATORS)}.")
    many = op in LIST_OPERATORS
    key = "values" if many else "value"
    if key not in item:
        raise FilterError(f"{where}: op {op} takes “{key}”" + (" (a list)." if many else "."))
    extra = sorted(set(item) - {"column", "op", key})
    if extra:
        raise FilterError(f"{where}: unexpected {', '.join(map(str, extra))[:100]} for op {op}.")
    column = columns[column_name]
    if not many:
        return {"column": column_name, "op": op, "value": _typed(where, column, item[key])}
    values = item[key]
    if not isinstance(values, list) or not values:
        raise FilterError(f"{where}: values must be a non-empty list.")
    if len(values) > MAX_VALUES:
        raise FilterError(f"{where}: at most {MAX_VALUES} values.")
    typed = list(dict.fromkeys(_typed(where, column, v) for v in values))
    return {"column": column_name, "op": op, "values": typed}


def _typed(where: str, column: FilterColumn, value: Any) -> Any:
    """The value, if it is of the column's type (no coercion: "12" is not 12, 1 is not true)."""
    if column.type == "bool":
        if not isinstance(value, bool):
            raise FilterError(f"{where}: {column.name} takes true or false.")
        return value
    if column.type in INT_RANGES:
        low, high = INT_RANGES[column.type]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FilterError(f"{where}: {column.name} takes whole numbers from {low} to {high}.")
        return value
    if not isinstance(value, str):
        raise FilterError(f"{where}: {column.name} takes text values.")
    if len(value) > column.max_length:
        raise FilterError(f"{where}: {column.name} holds at most {column.max_length} characters.")
    if "\x00" in value or not value.isprintable() or not _utf8(value):
        raise FilterError(f"{where}: {column.name} values must be printable text.")
    return value


def _utf8(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate from JSON's \ud800
        return False
    return True


# --- the form's text: one condition per line, `column op value[, value…]` ---------------------


def parse_lines(text: str) -> list[dict[str, Any]]:
    """Lines like `advertiser_id in 12, 34` or `event_type eq imp` into conditions; values are
    typed by the column (numbers, true/false, text; "quoted" text may hold commas)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_CONDITIONS:
        raise FilterError(f"At most {MAX_CONDITIONS} conditions.")
    return [_line(number, line) for number, line in enumerate(lines, 1)]


def _line(number: int, line: str) -> dict[str, Any]:
    parts = line.split(None, 2)
    if len(parts) < 3:
        raise FilterError(f"Line {number}: write “column op value”, e.g. advertiser_id in 12, 34.")
    column, op, rest = parts
    if len(rest) > 64 * MAX_VALUES:
        raise FilterError(f"Line {number}: too long.")
    values = _split(rest)
    if op in LIST_OPERATORS:
        return {"column": column, "op": op, "values": values}
    if len(values) != 1:
        raise FilterError(f"Line {number}: {op} takes one value; use in for several.")
    return {"column": column, "op": op, "value": values[0]}


def _split(rest: str) -> list[str]:
    """`12, "a, b", " c "` into 12, `a, b` and ` c `: a quoted value keeps its spaces, as
    as_lines writes them (csv's reader would leave them to a strip that removes them)."""
    values, position = [], 0
    while True:
        found = VALUE_RE.match(rest, position)
        if found is None:  # not reached: the plain branch matches anything, even nothing
            raise FilterError(f"Unreadable values: {rest[:64]}")
        quoted = found["quoted"]
        values.append(quoted.replace('""', '"') if quoted is not None else found["plain"].strip())
        position = found.end()
        if not found["comma"]:
            return values


def typed_from_text(feed: str, conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Text values of parsed lines as the column's type, where they read as one."""
    columns = FILTER_COLUMNS.get(feed, {})
    for condition in conditions:
        column = columns.get(condition.get("column", ""))
        if column is None:
            continue
        key = "values" if "values" in condition else "value"
        found = condition[key]
        converted = [_from_text(column, v) for v in (found if key == "values" else [found])]
        condition[key] = converted if key == "values" else converted[0]
    return conditions


def _from_text(column: FilterColumn, text: Any) -> Any:
    if not isinstance(text, str):
        return text
    if column.type == "bool":
        return {"true": True, "false": False}.get(text.lower(), text)
    if column.type in INT_RANGES:
        try:
            return int(text)
        except ValueError:
            return text
    return text


def as_lines(conditions: list[dict[str, Any]]) -> str:
    """The stored filter as the form's lines (the inverse of parse_lines)."""
    return "\n".join(_as_line(condition) for condition in conditions)


def _as_line(condition: dict[str, Any]) -> str:
    values = condition.get("values", [condition.get("value")])
    return f"{condition['column']} {condition['op']} " + ", ".join(_text(v) for v in values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and (
        "," in value or '"' in value or value != value.strip() or not value
    ):
        return '"' + value.replace('"', '""') + '"'
    return str(value)
