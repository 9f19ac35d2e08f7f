"""Daily range partitions of the event tables on PostgreSQL (docs/feeds.md, "Partitions").

Each table is partitioned by the time its exports read it by: raw feeds by `received_at` (a
window is received time), log-level feeds by `event_time` (an hour is event time; its late
events are found by event time too). One partition per UTC day, named `<table>_pYYYYMMDD`, with
the table's indexes; a `<table>_default` partition takes any row no day partition holds (an
event time far in the past or future), so an insert never fails. The beat creates partitions
some days ahead (`maintain`); retention drops whole days (`drop_expired`).

Django does not manage declarative partitions: after every `migrate`, `partition_tables`
converts an event table that is not partitioned yet (a new feed's, or every table of a database
made before partitions), rows included. SQLite, the embedded default, is left unpartitioned.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from psycopg import sql

from integrations.catalog import FEEDS, FeedKind

from ..models import EVENT_MODELS

DAYS_AHEAD = 3  # created ahead of the newest day a row can be expected in


def partition_key(feed: str) -> str:
    return "received_at" if FEEDS[feed].kind == FeedKind.RAW else "event_time"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _table(feed: str) -> str:
    return str(EVENT_MODELS[feed]._meta.db_table)


def day_name(feed: str, day: date) -> str:
    return f"{_table(feed)}_p{day:%Y%m%d}"


def _is_partitioned(cursor: Any, table: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
        " WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
        [table],
    )
    return cursor.fetchone() is not None


def days(feed: str) -> list[date]:
    """The day partitions the table has, oldest first."""
    prefix = f"{_table(feed)}_p"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [_table(feed)],
        )
        names = [name for (name,) in cursor.fetchall() if name.startswith(prefix)]
    return sorted(datetime.strptime(name[len(prefix) :], "%Y%m%d").date() for name in names)


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def create_day(feed: str, day: date) -> bool:
    """The day's partition, unless it exists. Rows of that day already in the default partition
    are moved into it first (PostgreSQL refuses to attach a range the default still holds)."""
    table, name, key = _table(feed), day_name(feed, day), partition_key(feed)
    start, end = _bounds(day)
    with transaction.atomic(), connection.cursor() as cursor:
        # Two beat tasks (or a beat and a migrate) creating the same day: the second waits, then
        # finds it made.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return False
        ids = {
            "table": sql.Identifier(table),
            "name": sql.Identifier(name),
            "default": sql.Identifier(default_table(feed)),
            "key": sql.Identifier(key),
        }
        statements = (
            "CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
            "WITH moved AS (DELETE FROM {default} WHERE {key} >= %(start)s AND {key} < %(end)s"
            " RETURNING *) INSERT INTO {name} SELECT * FROM moved",
            # The table's indexes are created on the new partition as it is attached.
            "ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM (%(start)s) TO (%(end)s)",
        )
        for statement in statements:
            cursor.execute(sql.SQL(statement).format(**ids), {"start": start, "end": end})
    return True


def maintain(now: datetime, oldest: datetime) -> int:
    """Day partitions from `oldest` (the retention's start) to DAYS_AHEAD days after `now`, for
    every event table; the number created (the beat runs it hourly)."""
    if not enabled():
        return 0
    return sum(_create_days(feed, now, oldest) for feed in EVENT_MODELS)


def _create_days(feed: str, now: datetime, oldest: datetime) -> int:
    day, last = (
        oldest.astimezone(UTC).date(),
        (now + timedelta(days=DAYS_AHEAD)).astimezone(UTC).date(),
    )
    created = 0
    while day <= last:
        created += create_day(feed, day)
        day += timedelta(days=1)
    return created


def drop_expired(cutoff: datetime) -> dict[str, int]:
    """Drop every day partition that ends by `cutoff`: whole days go at once, however many rows
    they hold. The number dropped per feed."""
    dropped = dict.fromkeys(EVENT_MODELS, 0)
    if not enabled():
        return dropped
    for feed in EVENT_MODELS:
        for day in days(feed):
            if _bounds(day)[1] > cutoff:
                break
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(day_name(feed, day))))
            dropped[feed] += 1
    return dropped


def default_table(feed: str) -> str:
    return f"{_table(feed)}_default"


def partition_tables(now: datetime, oldest: datetime) -> list[str]:
    """Convert each event table that is not partitioned yet, rows and ids kept, and give it its
    day partitions; the tables converted. Runs after every `migrate` (FeedsConfig.ready) and is
    a no-op once done."""
    if not enabled():
        return []
    converted = []
    for feed in EVENT_MODELS:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [_table(feed)])
            if cursor.fetchone()[0] is None or _is_partitioned(cursor, _table(feed)):
                continue
        _convert(feed, now, oldest)
        converted.append(_table(feed))
    return converted


def _convert(feed: str, now: datetime, oldest: datetime) -> None:
    """The table becomes a partitioned one of the same name, columns, ids and indexes; its rows
    land in their day partitions (or the default one), all in one transaction."""
    model, table, key = EVENT_MODELS[feed], _table(feed), partition_key(feed)
    old = f"{table}_unpartitioned"
    names = {
        "table": sql.Identifier(table),
        "old": sql.Identifier(old),
        "key": sql.Identifier(key),
        "default": sql.Identifier(default_table(feed)),
    }

    def run(statement: str, params: list[Any] | None = None) -> Any:
        cursor.execute(sql.SQL(statement).format(**names), params)
        return cursor

    with transaction.atomic(), connection.cursor() as cursor:
        run("ALTER TABLE {table} RENAME TO {old}")
        # Index names are unique per schema: the old table's step aside for the new one's.
        for (index,) in run(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [old]
        ).fetchall():
            cursor.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                sql.Identifier(index), sql.Identifier(f"{index[:55]}_old")))  # fmt: skip
        run("CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY"
            " INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({key})")  # fmt: skip
        # A partitioned table's primary key must hold the partition key.
        run("ALTER TABLE {table} ADD PRIMARY KEY (id, {key})")
        with connection.schema_editor(atomic=False) as editor:
            for index in model._meta.indexes:
                editor.add_index(model, index)
        run("CREATE TABLE {default} PARTITION OF {table} DEFAULT")
        _create_days(feed, now, oldest)
        run("INSERT INTO {table} SELECT * FROM {old}")
        run("SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false)"
            " FROM {table}", [table])  # fmt: skip
        run("DROP TABLE {old}")
