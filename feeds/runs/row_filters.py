"""A run's row filter (integrations.filters) as a condition of the reads in feeds.runs.reading:
a Django Q for the ORM's reads, a psycopg composition for the COPY and binary reads.

Columns are looked up in the feed registry by their published name (a name not there stops the
run: nothing unchecked reaches the query) and written as identifiers; values are passed as
parameters (ORM) or adapted by psycopg (`sql.Literal`), never formatted into the text. `ne` and
`not_in` keep rows whose column is null ("not 12" includes "none"), the same on both paths, as
Django's negated lookups do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from psycopg import sql

from ..schema.columns import COLUMNS, Column

Conditions = Sequence[dict[str, Any]]


def _column(feed: str, name: str) -> Column:
    for column in COLUMNS[feed]:
        if column.public_name == name and not column.hour_of:
            return column
    raise ValueError(f"{feed} has no column {name[:64]!r} to filter on")


def _values(condition: dict[str, Any]) -> list[Any]:
    if condition.get("op") not in ("eq", "ne", "in", "not_in"):
        raise ValueError(f"unknown filter op {str(condition.get('op'))[:16]!r}")
    return list(condition["values"]) if "values" in condition else [condition["value"]]


def as_q(feed: str, conditions: Conditions) -> Q:
    """Every condition, ANDed (an empty filter matches every row)."""
    found = Q()
    for condition in conditions:
        name = _column(feed, condition["column"]).name
        match = Q(**{f"{name}__in": _values(condition)})
        found &= ~match if condition["op"] in ("ne", "not_in") else match
    return found


def as_sql(feed: str, conditions: Conditions, table: str | None = None) -> sql.Composable:
    """` AND …` for each condition, to follow a WHERE clause; empty for no filter. `table`
    qualifies the columns where the query names another relation's columns too."""
    parts: list[sql.Composable] = []
    for condition in conditions:
        column = _column(feed, condition["column"])
        name = sql.Identifier(table, column.name) if table else sql.Identifier(column.name)
        values = sql.SQL(", ").join(sql.Literal(value) for value in _values(condition))
        if condition["op"] in ("eq", "in"):
            parts.append(sql.SQL(" AND {} IN ({})").format(name, values))
        elif column.nullable:
            parts.append(sql.SQL(" AND ({0} IS NULL OR {0} NOT IN ({1}))").format(name, values))
        else:
            parts.append(sql.SQL(" AND {} NOT IN ({})").format(name, values))
    return sql.Composed(parts)
