"""An Iceberg table's schema evolves with the export's columns (issue 36): a column added to a
raw export becomes a new schema of the table under the column's registry field id, in the
window's own commit; the data files already written are neither rewritten nor unreadable, and
read the new column as null."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from feeds.models import IcebergTable
from feeds.schema.columns import COLUMNS
from integrations.forms.registry import form_class
from integrations.lifecycle.services import save_integration
from integrations.models import Integration, State
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports
from tests.support.iceberg_readback import static_table
from tests.support.integrations import form_data

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
NAMES = [column.name for column in COLUMNS["clicks"]]


def choose_columns(integration: Integration, columns: str) -> None:
    """The admin's edit, through the integration's form."""
    data = form_data("s3", "clicks", bucket=integration.config["bucket"], format="iceberg",
                     table_path=integration.config["table_path"], columns=columns)  # fmt: skip
    form = form_class("s3")(data, tenant=integration.tenant, feed="clicks", instance=integration)
    assert form.is_valid(), form.errors
    save_integration(form, Actor.system())
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)


def picked(rows: list[tuple[Any, ...]], *names: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row[NAMES.index(name)] for name in names) for row in rows)


def test_a_column_added_to_a_raw_export_evolves_the_schema_and_old_rows_read_it_as_null(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", HOUR, bucket=bucket, format="iceberg",
                         table_path="/lake/clicks", columns="event_time, click_id")  # fmt: skip
    before = events(tenant, "clicks", 50, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z")
    first = IcebergTable.objects.get(integration=integration).metadata_location
    old_files = {k: v for k, v in objects(s3_env, bucket).items() if k.endswith(".parquet")}

    choose_columns(integration, "event_time, click_id, country")
    after = events(tenant, "clicks", 40, HOUR + timedelta(minutes=15),
                   HOUR + timedelta(minutes=30), seed=4)  # fmt: skip
    run_exports("2026-11-22T10:31:00Z")

    row = IcebergTable.objects.get(integration=integration)
    table = static_table(s3_env, row.metadata_location)
    metadata = table.metadata
    assert [schema.schema_id for schema in metadata.schemas] == [0, 1]
    assert metadata.current_schema_id == 1
    old, new = (
        [(f.field_id, f.name, f.required) for f in schema.fields] for schema in metadata.schemas
    )
    assert old == [(2, "event_time", True), (1, "click_id", True), (1000, "window_start", True)]
    # The added column keeps its registry field id (position + 1) and is optional: the
    # rows written before it have no value for it.
    assert new == [*old, (13, "country", False)]
    assert metadata.last_column_id == 1000
    # The window's commit carried the change: one snapshot per window, nothing rewritten.
    assert len(metadata.snapshots) == 2
    assert metadata.snapshots[1].schema_id == 1
    files = objects(s3_env, bucket)
    assert all(files[key] == body for key, body in old_files.items())
    read = table.scan().to_arrow()
    assert read.column_names == ["event_time", "click_id", "window_start", "country"]
    assert picked(before, "click_id", "event_time") == sorted(
        (r["click_id"], r["event_time"]) for r in read.to_pylist() if r["window_start"] == HOUR
    )
    assert {r["country"] for r in read.to_pylist() if r["window_start"] == HOUR} == {None}
    assert picked(after, "click_id", "event_time", "country") == sorted(
        (r["click_id"], r["event_time"], r["country"])
        for r in read.to_pylist()
        if r["window_start"] != HOUR
    )
    # Time travel: the first snapshot still reads with the schema it was written with.
    earlier = static_table(s3_env, first).scan().to_arrow()
    assert earlier.column_names == ["event_time", "click_id", "window_start"]
    assert earlier.num_rows == len(before)


def test_a_column_dropped_from_a_raw_export_stays_in_the_table_as_optional(
    s3_env: str, tenant: Tenant
) -> None:
    """Its values written so far stay readable (and time travel keeps meaning); the rows
    written without it read it as null, which a required column could not."""
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", HOUR, bucket=bucket, format="iceberg",
                         table_path="/lake/clicks",
                         columns="event_time, click_id, country")  # fmt: skip
    before = events(tenant, "clicks", 30, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z")
    choose_columns(integration, "event_time, click_id")
    after = events(tenant, "clicks", 20, HOUR + timedelta(minutes=15),
                   HOUR + timedelta(minutes=30), seed=4)  # fmt: skip
    run_exports("2026-11-22T10:31:00Z")

    row = IcebergTable.objects.get(integration=integration)
    table = static_table(s3_env, row.metadata_location)
    current = table.metadata.schema()
    assert current.schema_id == 1
    assert [(f.field_id, f.required) for f in current.fields] == [
        (2, True), (1, True), (13, False), (1000, True)
    ]  # fmt: skip
    read = table.scan().to_arrow().to_pylist()
    assert sorted((r["click_id"], r["country"]) for r in read) == sorted(
        [*picked(before, "click_id", "country"), *((r[0], None) for r in after)]
    )
