"""The integration page of an Iceberg integration: its current metadata file, the catalog's URI
and copy-paste queries for DuckDB, Spark, Snowflake and BigQuery made for this table; before the
first commit, a word that it will come (issue 36)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from feeds.iceberg_catalog.snippets import snippets
from feeds.models import IcebergTable
from integrations.models import Integration
from tests.support.iceberg_tables import iceberg_integration, rows, store, write_table
from tests.support.integrations import make_integration

S3_METADATA = "s3://acme-lake/lake/ads/clicks/metadata/00002-5d1c.metadata.json"


@pytest.fixture
def committed(tmp_path: Path, tenant: Tenant) -> IcebergTable:
    integration = iceberg_integration(tenant, "clicks", name="Clicks lake")
    row = store(integration, write_table(tmp_path, "clicks", [rows(10, 7, 3)]))
    # As an export to S3 leaves it: the metadata file and the table folder in the bucket.
    row.metadata_location = S3_METADATA
    row.metadata = {**row.metadata, "location": "s3://acme-lake/lake/ads/clicks"}
    row.save()
    return row


def _page(client: Client, integration: Integration) -> str:
    answer = client.get(f"/t/{integration.tenant.slug}/integrations/{integration.pk}/")
    assert answer.status_code == 200
    return html.unescape(answer.content.decode())


def test_it_shows_the_metadata_location_and_the_queries(
    viewer_client: Client, committed: IcebergTable
) -> None:
    integration = committed.integration
    page = _page(viewer_client, integration)
    name = f"clicks_{integration.pk}"
    assert S3_METADATA in page
    assert "http://testserver/iceberg" in page  # the catalog's URI
    assert f"acme_ads.{name}" in page
    assert f"iceberg_scan('{S3_METADATA}')" in page  # DuckDB
    assert "ENDPOINT 'http://testserver/iceberg'" in page  # DuckDB attaching the catalog
    assert "spark.sql.catalog.exporthub.type=rest" in page
    assert "spark.sql.catalog.exporthub.uri=http://testserver/iceberg" in page
    assert "spark.sql.catalog.lake.warehouse=s3a://acme-lake/lake" in page  # Hadoop catalog
    assert "SELECT * FROM lake.ads.clicks" in page
    assert "CATALOG_SOURCE = OBJECT_STORE" in page  # Snowflake
    assert "STORAGE_BASE_URL = 's3://acme-lake/lake/ads/clicks/'" in page
    assert "METADATA_FILE_PATH = 'metadata/00002-5d1c.metadata.json'" in page
    assert f"uris = ['{S3_METADATA}']" in page  # BigQuery
    assert "<API key>" in page and "ehk_" not in page  # a placeholder, never a key


def test_it_says_the_first_commit_will_come(admin_client: Client, tenant: Tenant) -> None:
    integration = iceberg_integration(tenant, "clicks", name="Not yet")
    page = _page(admin_client, integration)
    assert "No commit yet" in page
    assert f"acme_ads.clicks_{integration.pk}" in page
    assert "iceberg_scan" not in page


def test_other_formats_show_no_iceberg_section(admin_client: Client, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    assert "Query the Iceberg table" not in _page(admin_client, integration)


def test_an_outsider_never_sees_the_table(outsider_client: Client, committed: IcebergTable) -> None:
    url = f"/t/acme-ads/integrations/{committed.integration_id}/"
    assert outsider_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "location,engine,expected",
    [
        ("gs://acme-lake/t/clicks", "Snowflake", "STORAGE_BASE_URL = 'gcs://acme-lake/t/clicks/'"),
        ("gs://acme-lake/t/clicks", "BigQuery", "uris = ['gs://acme-lake/t/clicks/metadata/"),
        ("gs://acme-lake/clicks", "Spark", 'load("gs://acme-lake/clicks")'),
        (
            "abfss://lake@acme.dfs.core.windows.net/t/clicks",
            "Snowflake",
            "STORAGE_BASE_URL = 'azure://acme.blob.core.windows.net/lake/t/clicks/'",
        ),
        (
            "https://acme.blob.core.windows.net/lake/x/t/clicks",
            "Spark",
            "warehouse=abfss://lake@acme.dfs.core.windows.net/x",
        ),
        (
            "https://acme.blob.core.windows.net/lake/t/clicks",
            "BigQuery",
            "uris = ['azure://acme.blob.core.windows.net/lake/t/clicks/metadata/v3.metadata.json']",
        ),
    ],
)
def test_the_queries_name_each_clouds_own_forms(
    committed: IcebergTable, location: str, engine: str, expected: str
) -> None:
    committed.metadata_location = f"{location}/metadata/v3.metadata.json"
    committed.metadata = {**committed.metadata, "location": location}
    assert expected in snippets(committed, "https://exporthub.example/iceberg")[engine]
