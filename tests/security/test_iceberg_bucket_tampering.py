"""A hostile tenant rewriting its own Iceberg table's files in its bucket (the manifest list, a
manifest, the version hint): nothing we serve or commit trusts them beyond that tenant's own
table, and the daily upkeep of every other tenant's table still happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.iceberg.maintenance import maintain_tables
from feeds.models import ExportRun, IcebergTable
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
ICEBERG = {"format": "iceberg", "compression": "ZSTD", "table_path": "/lake/standard"}


def _exported(s3_env: str, tenant: Tenant) -> tuple[Integration, str]:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    events(tenant, "standard_feed", 20, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    return integration, bucket


def _manifest_list(integration: Integration, bucket: str) -> str:
    row = IcebergTable.objects.get(integration=integration)
    (snapshot,) = row.metadata["snapshots"]
    return str(snapshot["manifest-list"]).removeprefix(f"s3://{bucket}/")


@pytest.mark.parametrize("kind", ["garbage", "empty", "another-tenants"])
def test_a_tampered_manifest_list_stops_no_other_tenants_upkeep(
    s3_env: str, tenant: Tenant, other_tenant: Tenant, settings: Any, kind: str
) -> None:
    # The hostile tenant's table is first in line, the victim's after it.
    hostile, hostile_bucket = _exported(s3_env, other_tenant)
    victim, victim_bucket = _exported(s3_env, tenant)
    key = _manifest_list(hostile, hostile_bucket)
    theirs = objects(s3_env, victim_bucket)[_manifest_list(victim, victim_bucket)]
    # The victim's own manifest list names manifests in the victim's bucket.
    body = {"garbage": b"not avro at all", "empty": b"", "another-tenants": theirs}[kind]
    s3(s3_env).put_object(Bucket=hostile_bucket, Key=key, Body=body)
    orphan = "lake/standard/data/orphan.parquet"  # an attempt's upload its commit never named
    s3(s3_env).put_object(Bucket=victim_bucket, Key=orphan, Body=b"PAR1")
    settings.ICEBERG_SNAPSHOT_RETENTION_DAYS = 7
    assert maintain_tables(timezone.now()) == 1
    assert orphan not in objects(s3_env, victim_bucket)
    # The hostile tenant's own files are left as they are: nothing is removed on a guess.
    assert key in objects(s3_env, hostile_bucket)


def test_a_manifest_list_swapped_for_a_huge_object_is_not_read_past_the_cap(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    integration, bucket = _exported(s3_env, tenant)
    key = _manifest_list(integration, bucket)
    settings.DESTINATION_READ_MAX_BYTES = 4096  # a real manifest list here is about 2 KB
    assert len(objects(s3_env, bucket)[key]) < 4096
    s3(s3_env).put_object(Bucket=bucket, Key=key, Body=b"\x00" * 4097)
    # The next hour's commit reads the current snapshot's manifest list back: cut at the cap.
    events(tenant, "standard_feed", 5, HOUR + timedelta(hours=1), HOUR + timedelta(hours=2))
    run_exports("2026-11-22T12:11:00Z")
    run = ExportRun.objects.get(integration=integration, window_start=HOUR + timedelta(hours=1))
    assert run.status != ExportRun.Status.SUCCEEDED
    assert run.error_code == "ObjectTooLarge", (run.error_code, run.error_message)
    assert key in run.error_message
