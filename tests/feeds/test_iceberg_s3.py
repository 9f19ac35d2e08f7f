"""The `iceberg` format on S3 (issue 36): a table in the bucket, read back by pyiceberg's own
reader, by a reader following the Iceberg spec by hand, and by DuckDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import IcebergTable

from .export_helpers import active, events, new_bucket, objects, run_exports
from .iceberg_helpers import static_table, table_rows

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
ICEBERG = {"format": "iceberg", "compression": "ZSTD", "table_path": "/lake/standard"}


def test_a_log_level_hour_becomes_one_snapshot_pyiceberg_reads_back(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    sent = events(tenant, "standard_feed", 500, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    row = IcebergTable.objects.get(integration=integration)
    assert row.metadata_location == f"s3://{bucket}/lake/standard/metadata/v2.metadata.json"
    files = objects(s3_env, bucket)
    assert files["lake/standard/metadata/version-hint.text"] == b"2"
    table = static_table(s3_env, row.metadata_location)
    snapshot = table.current_snapshot()
    assert snapshot is not None and snapshot.summary is not None
    assert snapshot.summary["added-records"] == "500"
    assert snapshot.summary["added-data-files"] == "1"
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted(sent)
    assert all(key.startswith("lake/standard/data/event_time_hour=2026-11-22-10/")
               for key in files if "/data/" in key)  # fmt: skip
