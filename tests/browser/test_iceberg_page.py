"""An Iceberg integration's page in Chromium at 1366 and 390 px: the metadata location, the
catalog's URI and the four engines' queries are shown and fit (no sideways scroll)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant, User
from tests.conftest import PASSWORD
from tests.support.iceberg_tables import iceberg_integration, rows, store, write_table

from .conftest import log_in
from .layout import measure, report

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_iceberg_section_fits_1366_and_390_px(
    page: Any, live_server: Any, tenant: Tenant, admin_user: User, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    integration = iceberg_integration(tenant, "clicks", name="Clicks lake")
    row = store(integration, write_table(tmp_path, "clicks", [rows(10, 7, 3)]))
    # A long, real-looking bucket path: the kind of text that overflows a narrow screen.
    folder = "s3://acme-advertising-data-lake-eu-west-1/exporthub/iceberg/clicks_lake"
    row.metadata_location = (
        f"{folder}/metadata/00042-7f3a1c2e-9b8d-4e5f-a6b7-c8d9e0f1a2b3.metadata.json"
    )
    row.metadata = {**row.metadata, "location": folder}
    row.save()

    log_in(page, live_server, admin_user.email, PASSWORD)
    page.goto(f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/")
    section = page.locator("#iceberg")
    expect(section.get_by_role("heading", name="Query the Iceberg table")).to_be_visible()
    expect(section.locator("#iceberg-metadata")).to_have_text(row.metadata_location)
    for engine in ("DuckDB", "Spark", "Snowflake", "BigQuery"):
        expect(section.get_by_role("heading", name=engine)).to_be_visible()
    section.locator("#iceberg-duckdb").scroll_into_view_if_needed()
    problems = measure(page, "integration-iceberg")
    assert not problems, report(problems)
