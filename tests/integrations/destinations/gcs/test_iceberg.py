"""The `iceberg` format on GCS (issue 36), read back by pyiceberg from a copy of the stand-in's
objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporthub.tenancy.models import Tenant
from tests.integrations.destinations.gcs.standin import live
from tests.support.iceberg_readback import an_hour_and_a_raw_window_read_back

pytestmark = pytest.mark.django_db


def test_an_hour_and_a_raw_window_read_back_with_pyiceberg(
    tenant: Tenant, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    fields, read = live(request)
    netloc = fields["bucket"]
    location = an_hour_and_a_raw_window_read_back("gcs", fields, read, netloc, tenant, tmp_path)
    assert location == f"gs://{netloc}/lake/standard/metadata/v2.metadata.json"
