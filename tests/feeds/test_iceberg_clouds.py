"""The `iceberg` format on GCS and Azure (issue 36), read back by pyiceberg from a copy of the
stand-in's objects; a commit that fails at its last step leaves the previous snapshot current
and its retry adds nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.iceberg.maintenance import maintain_tables
from feeds.ingestion.store import store_events
from feeds.models import ExportRun, IcebergTable
from tests.integrations.destinations.azure.standin import (
    ACCOUNT,
    AZURITE_KEY,
    azure_container,
    azure_endpoint,
    azure_sas,
)
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.standin import gcs_bucket, gcs_read
from tests.support.exports import active, events, run_exports

from .iceberg_helpers import mirrored_table, table_rows

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
ICEBERG = {"format": "iceberg", "compression": "SNAPPY", "table_path": "/lake/standard"}
Reader = Callable[[], dict[str, bytes]]


def _azure(request: pytest.FixtureRequest) -> tuple[dict[str, str], Reader, str]:
    from tests.integrations.destinations.azure.standin import azure_objects

    request.getfixturevalue("azure_env")
    container = azure_container()
    fields = {"storage_account": ACCOUNT, "container": container,
              "sas_token": azure_sas(permission="rwdlac")}  # fmt: skip
    return fields, lambda: azure_objects(container), f"{container}@{ACCOUNT}.dfs.core.windows.net"


def _gcs(request: pytest.FixtureRequest) -> tuple[dict[str, str], Reader, str]:
    gcs = request.getfixturevalue("gcs_env")
    bucket = gcs_bucket(gcs)
    fields = {"bucket": bucket, "service_account_key": service_account_key(token_uri=gcs.token_uri)}
    return fields, lambda: gcs_read(gcs, bucket), bucket


@pytest.mark.parametrize("cloud", ["gcs", "azure"])
def test_an_hour_and_a_raw_window_read_back_with_pyiceberg(
    cloud: str, tenant: Tenant, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    fields, read, netloc = (_gcs if cloud == "gcs" else _azure)(request)
    hourly = active(tenant, cloud, "standard_feed", HOUR, **fields, **ICEBERG)
    raw = active(tenant, cloud, "conversions", HOUR, **fields, format="iceberg",
                 table_path="/lake/conversions")  # fmt: skip
    sent = events(tenant, "standard_feed", 150, HOUR, HOUR + timedelta(hours=1))
    converted = events(tenant, "conversions", 40, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T11:11:00Z")
    objects = read()
    row = IcebergTable.objects.get(integration=hourly)
    scheme = "gs" if cloud == "gcs" else "abfss"
    assert row.metadata_location == f"{scheme}://{netloc}/lake/standard/metadata/v2.metadata.json"
    assert objects["lake/standard/metadata/version-hint.text"] == b"2"
    table = mirrored_table(objects, netloc, row.metadata_location, tmp_path)
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted(sent)
    raw_row = IcebergTable.objects.get(integration=raw)
    raw_table = mirrored_table(objects, netloc, raw_row.metadata_location, tmp_path)
    window = raw_table.scan(row_filter=f"window_start = '{HOUR.isoformat()}'").to_arrow()
    assert table_rows(window, "conversions") == sorted(converted)


def _lease(container: str, key: str) -> Any:
    from azure.storage.blob import BlobClient

    blob = BlobClient(
        azure_endpoint(), container, key,
        credential={"account_name": ACCOUNT, "account_key": AZURITE_KEY},
    )  # fmt: skip
    return blob.acquire_lease(lease_duration=-1)


def test_a_commit_failing_at_its_last_step_leaves_the_snapshot_and_its_retry_adds_nothing_twice(
    tenant: Tenant, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    fields, read, netloc = _azure(request)
    integration = active(tenant, "azure", "standard_feed", HOUR, **fields, **ICEBERG)
    sent = events(tenant, "standard_feed", 100, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    before = IcebergTable.objects.get(integration=integration)
    late, _ = next(Generator("standard_feed", 5).rows(1, HOUR, HOUR + timedelta(minutes=1)))
    store_events(tenant, "standard_feed", [(late, HOUR + timedelta(hours=1, minutes=30))])
    # A real fault at the commit's last write: the hint is leased by someone else, so Azure
    # refuses it (412) after the data files and the new metadata file were uploaded.
    lease = _lease(fields["container"], "lake/standard/metadata/version-hint.text")
    run_exports("2026-11-22T12:11:00Z")
    generation = ExportRun.objects.get(integration=integration, window_start=HOUR, generation=1)
    assert generation.status == "failed" and generation.next_attempt_at is not None
    assert generation.error_code == "LeaseIdMissing"
    after_fault = IcebergTable.objects.get(integration=integration)
    assert after_fault.metadata_location == before.metadata_location
    assert after_fault.metadata == before.metadata
    objects = read()
    uploaded = [key for key in objects if key.endswith(".parquet")]
    assert len(uploaded) == 2  # the first generation's file and the failed attempt's
    table = mirrored_table(objects, netloc, after_fault.metadata_location, tmp_path / "a")
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted(sent)
    lease.break_lease(lease_break_period=0)
    run_exports("2026-11-22T12:30:00Z")
    generation.refresh_from_db()
    assert generation.status == "succeeded", generation.error_message
    row = IcebergTable.objects.get(integration=integration)
    objects = read()
    assert (
        objects["lake/standard/metadata/version-hint.text"]
        == row.metadata_location.rsplit("/v", 1)[1].removesuffix(".metadata.json").encode()
    )
    table = mirrored_table(objects, netloc, row.metadata_location, tmp_path / "b")
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted([*sent, late])
    # The failed attempt's data file is in no snapshot: maintenance removes it (and the
    # manifests of its commit), while the first generation stays for time travel.
    parquet = sorted(key for key in objects if key.endswith(".parquet"))
    assert len(parquet) == 3
    maintain_tables(timezone.now())
    left = read()
    kept = sorted(key for key in left if key.endswith(".parquet"))
    assert len(kept) == 2 and set(kept) < set(parquet)
    orphan = (set(parquet) - set(kept)).pop()
    assert orphan.rsplit("/", 1)[1].startswith(f"{generation.pk}-1-")  # the failed attempt's
    table = mirrored_table(left, netloc, row.metadata_location, tmp_path / "c")
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted([*sent, late])
