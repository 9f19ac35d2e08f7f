"""A run's page (issue 37): the objects it wrote as written (key, size, MD5, rows, the full URI
to copy) and, for a log-level hour, its manifest; another tenant's run is a 404."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.destinations.azure.destination import AzureBlobDestination
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "NONE"}


def test_it_lists_a_log_level_hours_objects_with_md5s_uris_and_its_manifest(
    s3_env: str, tenant: Tenant, viewer_client: Client, settings: object
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 40, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get(status="succeeded")
    stored = objects(s3_env, bucket)
    page = html.unescape(
        viewer_client.get(
            f"/t/{tenant.slug}/integrations/{integration.pk}/runs/{run.pk}/"
        ).content.decode()
    )
    assert run.files
    for file in run.files:
        key = f"{run.path.lstrip('/')}/{file['name']}"
        assert hashlib.md5(stored[key]).hexdigest() == file["md5"]
        assert f"s3://{bucket}/{key}" in page and file["md5"] in page
        assert re.search(r'data-copy="object-uri-\d+"', page)
    manifest_key = run.manifest.lstrip("/")
    assert f"s3://{bucket}/{manifest_key}" in page
    shown = re.search(r'<pre[^>]*id="manifest"[^>]*><code>(.*?)</code></pre>', page, re.S)
    assert shown is not None
    assert json.loads(shown.group(1)) == json.loads(stored[manifest_key])
    assert "40" in page  # rows


def test_another_tenants_run_is_404_even_under_ones_own_integration(
    tenant: Tenant, other_tenant: Tenant, outsider_client: Client
) -> None:
    theirs = active(tenant, "s3", "clicks", HOUR, bucket="not-contacted")
    own = active(other_tenant, "s3", "clicks", HOUR, bucket="not-contacted-either")
    run = ExportRun.objects.create(
        integration=theirs, window_start=HOUR, window_end=HOUR + timedelta(minutes=15)
    )
    for integration, slug in ((own, other_tenant.slug), (theirs, tenant.slug),
                              (theirs, other_tenant.slug)):  # fmt: skip
        url = f"/t/{slug}/integrations/{integration.pk}/runs/{run.pk}/"
        assert outsider_client.get(url).status_code == 404, url


def test_an_s3_compatible_endpoints_object_uri_names_bucket_and_key() -> None:
    from integrations.destinations.s3.destination import S3Destination

    location = "s3://acme at https://storage.example.net"
    assert S3Destination.object_url(location, "/a/b.csv.gz") == "s3://acme/a/b.csv.gz"


def test_an_azure_objects_uri_is_its_https_url() -> None:
    assert (
        AzureBlobDestination.object_url("azure://acme/exports", "/clicks/2026/a.csv.gz")
        == "https://acme.blob.core.windows.net/exports/clicks/2026/a.csv.gz"
    )


def test_the_run_history_links_each_run_to_its_objects(
    tenant: Tenant, viewer_client: Client
) -> None:
    integration = active(tenant, "s3", "clicks", HOUR, bucket="not-contacted")
    run = ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + timedelta(minutes=15)
    )
    page = viewer_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert f'href="/t/{tenant.slug}/integrations/{integration.pk}/runs/{run.pk}/"' in page
