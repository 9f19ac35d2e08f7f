"""Real Iceberg tables for the catalog's tests: written by pyiceberg's own SqlCatalog (SQLite) into
a local folder, then stored as the `IcebergTable` row an export leaves after its commit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa
from django.utils import timezone
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType, TimestamptzType

from exporthub.tenancy.models import Tenant
from feeds.models import IcebergTable
from integrations.models import Integration
from tests.support.integrations import make_integration

SCHEMA = Schema(
    NestedField(1, "event_time", TimestamptzType(), required=True),
    NestedField(2, "advertiser_id", LongType(), required=True),
    NestedField(3, "event_type", StringType(), required=False),
)
# Identity: pyiceberg's own hour transform on write needs its Rust extension (pyiceberg-core),
# which the catalog does not (it serves whatever spec the metadata holds).
SPEC = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "advertiser_id"))
ARROW = pa.schema(
    [
        pa.field("event_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("advertiser_id", pa.int64(), nullable=False),
        pa.field("event_type", pa.string()),
    ]
)


def rows(hour: int, advertiser: int, count: int) -> list[dict[str, Any]]:
    start = datetime(2026, 3, 1, hour, tzinfo=UTC)
    return [
        {"event_time": start.replace(minute=i % 60), "advertiser_id": advertiser,
         "event_type": "click"}
        for i in range(count)
    ]  # fmt: skip


def write_table(folder: Path, name: str, batches: list[list[dict[str, Any]]]) -> Table:
    """A table with one snapshot per batch (as one commit per exported hour)."""
    catalog = SqlCatalog(
        "writer", uri=f"sqlite:///{folder / 'writer.db'}", warehouse=f"file://{folder}"
    )
    catalog.create_namespace_if_not_exists("lake")
    table = catalog.create_table(f"lake.{name}", schema=SCHEMA, partition_spec=SPEC)
    for batch in batches:
        table.append(pa.Table.from_pylist(batch, schema=ARROW))
    return table


def store(integration: Integration, table: Table) -> IcebergTable:
    """The row the export writes after a commit: the metadata file's URI and its JSON as is."""
    location = table.metadata_location
    metadata = json.loads(Path(urlparse(location).path).read_text())
    return IcebergTable.objects.update_or_create(
        integration=integration,
        defaults={
            "tenant": integration.tenant,
            "table_uuid": metadata["table-uuid"],
            "metadata_location": location,
            "metadata": metadata,
            "committed_at": timezone.now(),
        },
    )[0]


def iceberg_integration(tenant: Tenant, feed: str = "clicks", **overrides: Any) -> Integration:
    """An integration of the `iceberg` format, its config set in the database (the format's
    choice and its validation belong to the export side)."""
    integration = make_integration(tenant, "s3", feed, **overrides)
    assert isinstance(integration, Integration), integration
    integration.config = {**integration.config, "format": "iceberg", "table_path": "/lake/clicks"}
    integration.save(update_fields=["config"])
    return integration
