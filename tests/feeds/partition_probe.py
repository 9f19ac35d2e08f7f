"""Run by test_partitions.py in its own process against a scratch PostgreSQL database (whatever
database the suite itself runs on): migrates it, converts a filled table, reads query plans,
expires days and prints what it found as one JSON line."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.test_settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from psycopg import sql  # noqa: E402

from exporthub.tenancy.models import Tenant  # noqa: E402
from feeds.demo.synthetic import Generator  # noqa: E402
from feeds.formats import writer_class  # noqa: E402
from feeds.formats.binary_copy import reading_connection  # noqa: E402
from feeds.ingestion import partitions  # noqa: E402
from feeds.ingestion.retention import delete_expired  # noqa: E402
from feeds.ingestion.store import store_events  # noqa: E402
from feeds.models import EVENT_MODELS  # noqa: E402
from feeds.runs.reading import select_statement  # noqa: E402

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _partitioned(table: str) -> bool:
    found = _rows(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
        " WHERE c.relname = %s",
        [table],
    )
    return bool(found)


def _store(tenant: Tenant, feed: str, received: list[datetime]) -> None:
    rows = Generator(feed, 3).rows(len(received), NOW - DAY, NOW)
    store_events(tenant, feed, [(row, at) for (row, _), at in zip(rows, received, strict=True)])


def _snapshot(table: str) -> list[tuple[Any, ...]]:
    return _rows(f"SELECT id, md5(t::text) FROM {table} t ORDER BY id")


def converting_a_filled_table(tenant: Tenant) -> dict[str, Any]:
    """The clicks table as a database made before partitions has it, filled, then converted."""
    model = EVENT_MODELS["clicks"]
    table = model._meta.db_table
    with connection.schema_editor() as editor:
        editor.delete_model(model)
        editor.create_model(model)
    before_partitioned = _partitioned(table)
    received = [datetime(2026, 11, 10, tzinfo=UTC) + timedelta(hours=7 * n) for n in range(60)]
    received += [datetime(2001, 1, 1, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC)]
    _store(tenant, "clicks", received)
    before = _snapshot(table)
    converted = partitions.partition_tables(NOW, NOW - 7 * DAY)
    store_events(tenant, "clicks", [(next(Generator("clicks", 9).rows(1, NOW, NOW + DAY))[0], NOW)])
    newest = _rows(f"SELECT max(id) FROM {table}")[0][0]
    partition = partitions.day_name("clicks", NOW.date())
    return {
        "before_partitioned": before_partitioned,
        "converted": converted,
        "after_partitioned": _partitioned(table),
        "rows_before": len(before),
        "rows_kept_identical": _snapshot(table)[: len(before)] == before,
        "new_id_after_old_ids": newest > max(row[0] for row in before),
        "rows_in_default": _rows(f"SELECT count(*) FROM {partitions.default_table('clicks')}")[0][
            0
        ],
        "indexes_on_a_day": sorted(
            definition.split(" USING ")[1]
            for (definition,) in _rows(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [partition]
            )
        ),
        "leftover_tables": _rows(
            "SELECT relname FROM pg_class WHERE relname LIKE %s", [f"{table}_unpartitioned%"]
        ),
    }


def _plan_values(plan: list[dict[str, Any]], field: str) -> list[str]:
    """`field` of every node of an EXPLAIN (FORMAT JSON) plan that has it, top down."""
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if field in node:
            found.append(node[field])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def _plan_relations(queryset: Any) -> list[str]:
    return sorted(set(_plan_values(json.loads(queryset.explain(format="json")), "Relation Name")))


def reads_touch_one_partition(tenant: Tenant) -> dict[str, Any]:
    partitions.maintain(NOW, NOW - 14 * DAY)
    clicks, hours = EVENT_MODELS["clicks"], EVENT_MODELS["standard_feed"]
    window = datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
    raw = clicks._default_manager.filter(
        tenant_id=tenant.pk, received_at__gte=window, received_at__lt=window + timedelta(minutes=15)
    )
    hour = datetime(2026, 11, 21, 23, tzinfo=UTC)
    log_level = hours._default_manager.filter(
        tenant_id=tenant.pk, event_time__gte=hour, event_time__lt=hour + timedelta(hours=1),
        received_at__lt=NOW,
    )  # fmt: skip
    return {
        "raw_window_reads": _plan_relations(raw),
        "log_level_hour_reads": _plan_relations(log_level),
        "day_partitions": len(partitions.days("clicks")),
    }


def an_hour_streams_from_its_first_row(tenant: Tenant) -> dict[str, Any]:
    """Plans of a log-level hour that is all of its day's partition (the planner's choice
    there: read and sort it all before the first row), on a plain connection and on the one
    the export reads on."""
    hour = datetime(2026, 11, 20, 10, tzinfo=UTC)
    rows = Generator("standard_feed", 11).rows(3000, hour, hour + DAY / 24)
    store_events(tenant, "standard_feed", list(rows))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feeds_standardfeedevent")
    statement = select_statement(
        "standard_feed", tenant.pk, hour, hour + DAY / 24, NOW,
        writer_class("avro").prepared_types,
    )  # fmt: skip
    explain = sql.SQL("EXPLAIN (FORMAT JSON) {}").format(statement)
    plain = connection.get_new_connection(connection.get_connection_params())
    export = reading_connection()
    try:
        return {"plain": _node_types(plain, explain), "export": _node_types(export, explain)}
    finally:
        plain.close()
        export.close()


def _node_types(conn: Any, explain: sql.Composed) -> list[str]:
    return _plan_values(conn.execute(explain).fetchone()[0], "Node Type")


def retention_drops_days(tenant: Tenant) -> dict[str, Any]:
    """14 days of clicks, one row an hour, and one ancient row in the default partition."""
    received = [NOW - 14 * DAY + timedelta(hours=n) for n in range(14 * 24)]
    _store(tenant, "clicks", [*received, datetime(2001, 1, 1, tzinfo=UTC)])
    table = EVENT_MODELS["clicks"]._meta.db_table
    before = _rows(f"SELECT count(*) FROM {table}")[0][0]
    days_before = len(partitions.days("clicks"))
    deleted = delete_expired(NOW)  # 7 days: the cutoff is 2026-11-15 12:00
    return {
        "rows_before": before,
        "days_dropped": days_before - len(partitions.days("clicks")),
        "oldest_day_left": partitions.days("clicks")[0].isoformat(),
        "rows_deleted_one_by_one": deleted["clicks"],
        "oldest_row_left": _rows(f"SELECT min(received_at) FROM {table}")[0][0].isoformat(),
    }


def days_ahead_and_on_demand(tenant: Tenant) -> dict[str, Any]:
    """A row beyond the days created ahead lands in the default partition; the day's partition,
    created later, takes it out of there."""
    far = datetime(2026, 12, 20, 8, tzinfo=UTC)
    store_events(
        tenant, "conversions", [(next(Generator("conversions", 4).rows(1, far, far + DAY))[0], far)]
    )
    default = partitions.default_table("conversions")
    in_default_first = _rows(f"SELECT count(*) FROM {default}")[0][0]
    created = partitions.maintain(far - 2 * DAY, far - 9 * DAY)
    day = partitions.day_name("conversions", far.date())
    return {
        "in_default_first": in_default_first,
        "created": created,
        "in_default_after": _rows(f"SELECT count(*) FROM {default}")[0][0],
        "in_its_day_after": _rows(f"SELECT count(*) FROM {day}")[0][0],
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    figures: dict[str, Any] = {
        "partitioned_after_migrate": {
            feed: _partitioned(model._meta.db_table) for feed, model in EVENT_MODELS.items()
        },
        "keys": {feed: partitions.partition_key(feed) for feed in EVENT_MODELS},
    }
    tenant = Tenant.objects.create(name="Acme", slug="acme", seat_id=998)
    figures["conversion"] = converting_a_filled_table(tenant)
    figures["pruning"] = reads_touch_one_partition(tenant)
    figures["streaming"] = an_hour_streams_from_its_first_row(tenant)
    figures["retention"] = retention_drops_days(tenant)
    figures["ahead"] = days_ahead_and_on_demand(tenant)
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main()
