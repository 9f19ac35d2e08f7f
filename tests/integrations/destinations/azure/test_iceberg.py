"""The `iceberg` format on Azure (issue 36), read back by pyiceberg from a copy of the stand-in's
objects; a commit that fails at its last step leaves the previous snapshot current and its retry
adds nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.iceberg.maintenance import maintain_tables
from feeds.ingestion.store import store_events
from feeds.models import ExportRun, IcebergTable
from tests.integrations.destinations.azure.standin import ACCOUNT, AZURITE_KEY, azure_endpoint, live
from tests.support.exports import active, events, run_exports
from tests.support.iceberg_readback import (
    HOUR,
    ICEBERG,
    an_hour_and_a_raw_window_read_back,
    mirrored_table,
    table_rows,
)

pytestmark = pytest.mark.django_db
Reader = Callable[[], dict[str, bytes]]


def _azure(request: pytest.FixtureRequest) -> tuple[dict[str, str], Reader, str]:
    fields, read = live(request)
    return fields, read, f"{fields['container']}@{ACCOUNT}.dfs.core.windows.net"


def test_an_hour_and_a_raw_window_read_back_with_pyiceberg(
    tenant: Tenant, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    fields, read, netloc = _azure(request)
    location = an_hour_and_a_raw_window_read_back("azure", fields, read, netloc, tenant, tmp_path)
    assert location == f"abfss://{netloc}/lake/standard/metadata/v2.metadata.json"


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
