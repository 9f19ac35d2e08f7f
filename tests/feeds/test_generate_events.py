"""`manage.py generate_events`: reproducible synthetic traffic inside [start, end)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from io import StringIO
from typing import Any
from uuid import UUID

import pytest
from django.core.management import CommandError, call_command
from psycopg.adapt import Transformer
from psycopg.postgres import types
from psycopg.pq import Format

from exporthub.tenancy.models import Tenant
from feeds.demo.bulk import BulkGenerator
from feeds.models import EVENT_MODELS
from feeds.schema.columns import stored_columns

pytestmark = pytest.mark.django_db
START, END = "2026-11-22T10:00:00Z", "2026-11-22T10:15:00Z"


def _generate(tenant: Tenant, feed: str, count: int, seed: int = 1) -> str:
    out = StringIO()
    call_command("generate_events", f"--tenant={tenant.slug}", f"--feed={feed}", f"--count={count}",
                 f"--start={START}", f"--end={END}", f"--seed={seed}", stdout=out)  # fmt: skip
    return out.getvalue()


@pytest.mark.parametrize("feed", sorted(EVENT_MODELS))
def test_it_keeps_event_and_received_times_inside_the_range(tenant: Tenant, feed: str) -> None:
    assert f"Stored 2000 {feed} events" in _generate(tenant, feed, 2000)
    model = EVENT_MODELS[feed]
    start, end = datetime(2026, 11, 22, 10, tzinfo=UTC), datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
    events = model._default_manager.filter(tenant=tenant)
    assert events.count() == 2000
    for event in events:
        assert start <= event.event_time < end and start <= event.received_at < end  # type: ignore[attr-defined]
        assert event.received_at >= event.event_time  # type: ignore[attr-defined]


def test_the_same_seed_gives_the_same_events(tenant: Tenant, other_tenant: Tenant) -> None:
    _generate(tenant, "clicks", 50, seed=42)
    _generate(other_tenant, "clicks", 50, seed=42)
    model = EVENT_MODELS["clicks"]
    ids = [
        list(
            model._default_manager.filter(tenant=t).order_by("received_at").values_list("click_id")
        )
        for t in (tenant, other_tenant)
    ]
    assert ids[0] == ids[1]


def test_it_includes_some_late_arrivals(tenant: Tenant) -> None:
    _generate(tenant, "conversions", 3000)
    events = EVENT_MODELS["conversions"]._default_manager.filter(tenant=tenant)
    late = [e for e in events if (e.received_at - e.event_time).total_seconds() > 300]  # type: ignore[attr-defined]
    assert 0 < len(late) < 300


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant=nope", "--feed=clicks", "--count=1"], "No tenant"),
        (["--feed=clicks", "--count=1", f"--start={END}", f"--end={START}"], "before --end"),
        (["--feed=clicks", "--count=1", "--start=2026-11-22T10:00:00"], "needs a timezone"),
        (["--feed=clicks", "--count=-1"], "must not be negative"),
    ],
)
def test_it_rejects_bad_arguments(tenant: Tenant, args: list[str], message: str) -> None:
    if not any(a.startswith("--tenant") for a in args):
        args = [f"--tenant={tenant.slug}", *args]
    with pytest.raises(CommandError, match=message):
        call_command("generate_events", *args)


def _binary_rows(data: bytes, feed: str) -> list[tuple[Any, ...]]:
    """Rows of binary COPY data, parsed by psycopg's own COPY reader with PostgreSQL's types."""
    from psycopg._copy_base import parse_row_binary

    names = {"int64": "int8", "int32": "int4", "string": "text", "decimal": "numeric",
             "bool": "bool", "timestamp": "timestamptz"}  # fmt: skip
    oids = [types["int8"].oid, types["timestamptz"].oid]
    oids += [types[names[c.type]].oid for c in stored_columns(feed)]
    transformer = Transformer()
    transformer.set_loader_types(oids, Format.BINARY)
    rows, position = [], 0
    while position < len(data):
        begin = position
        (fields,) = struct.unpack_from(">h", data, position)
        assert fields == len(oids)
        position += 2
        for _ in range(fields):
            (size,) = struct.unpack_from(">i", data, position)
            position += 4 + max(size, 0)
        rows.append(parse_row_binary(data[begin:position], transformer))
    return rows


@pytest.mark.parametrize("feed", sorted(EVENT_MODELS))
def test_the_bulk_generator_keeps_the_typed_generators_columns_and_ranges(feed: str) -> None:
    start, end = datetime(2026, 11, 22, 10, tzinfo=UTC), datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
    chunks = list(BulkGenerator(feed, 7).copy_chunks(42, 2500, start, end, chunk=1000))
    assert [rows for _, rows in chunks] == [1000, 1000, 500]
    names = ["tenant_id", "received_at", *(c.name for c in stored_columns(feed))]
    rows = [dict(zip(names, row, strict=True))
            for data, _ in chunks for row in _binary_rows(data, feed)]  # fmt: skip
    assert len(rows) == 2500 and {r["tenant_id"] for r in rows} == {42}
    for row in rows:
        assert start <= row["event_time"] <= row["received_at"] < end
    for column in stored_columns(feed):
        values = [r[column.name] for r in rows]
        if not column.nullable:
            assert None not in values, column.name
        if column.name.endswith("_id") and column.type == "string":
            present = [v for v in values if v is not None]
            assert len(set(present)) == len(present), column.name  # unique per row
            assert all(str(UUID(v)) == v and UUID(v).version == 4 for v in present)
        present = [v for v in values if v is not None]
        assert len(set(map(repr, present))) > 1, column.name  # drawn, not one constant
        if column.type == "decimal":
            assert all(-v.as_tuple().exponent == column.scale for v in present), column.name
    assert list(BulkGenerator(feed, 7).copy_chunks(42, 2500, start, end, chunk=1000)) == chunks
