"""Seed 004 "Uniqueness criteria", plus raw directories (their file names would collide)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.support.integrations import API, S3_BODY, make_integration

pytestmark = pytest.mark.django_db
OTHER_FEED_PATH = "/other/%YEAR%/%TIMESTAMP%"


def test_it_rejects_the_same_manifest_path_for_the_same_tenant_and_feed(tenant: Tenant) -> None:
    first = make_integration(tenant, "s3", "standard_feed", name="First")
    errors = make_integration(
        tenant, "s3", "standard_feed", name="Second", feed_path=OTHER_FEED_PATH
    )
    assert errors["manifest_path"] == [
        f"The integration “{first.name}” already exports to this manifest path here."
    ]


def test_two_log_level_feeds_of_one_tenant_share_a_bucket_and_manifest_path(
    tenant: Tenant,
) -> None:
    """Seed 004's rule is per feed: each feed's manifests are named after it, so a seat may send
    both feeds to one manifest path (their %FEED_NAME% paths differ too); a second export of the
    same feed there is refused."""
    make_integration(tenant, "s3", "standard_feed", name="Impressions")
    segments = make_integration(tenant, "s3", "segment_feed", name="Segments")
    assert isinstance(segments, Integration), segments
    again = make_integration(
        tenant, "s3", "segment_feed", name="Segments again", feed_path=OTHER_FEED_PATH
    )
    assert again["manifest_path"] == [
        "The integration “Segments” already exports to this manifest path here."
    ]


def test_it_allows_the_same_manifest_path_for_another_tenant(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    make_integration(tenant, "s3", "standard_feed", feed_path="/a/%TIMESTAMP%")
    second = make_integration(other_tenant, "s3", "standard_feed", feed_path="/b/%TIMESTAMP%")
    assert isinstance(second, Integration)


def test_it_allows_the_same_manifest_path_in_another_bucket(tenant: Tenant) -> None:
    make_integration(tenant, "s3", "standard_feed", name="A")
    assert isinstance(
        make_integration(tenant, "s3", "standard_feed", name="B", bucket="acme-two"), Integration
    )


def test_it_lets_tenants_share_a_resolved_feed_path_with_the_same_feed_and_format(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    make_integration(tenant, "azure", "standard_feed")
    shared = make_integration(other_tenant, "azure", "standard_feed", manifest_path="/m2")
    assert isinstance(shared, Integration)


def test_across_tenants_a_shared_feed_path_with_another_format_is_left_to_verify(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    """Saved (a save says nothing about another tenant's paths); Verify decides, once access is
    proved (tests/security/test_path_squatting.py)."""
    from integrations.lifecycle.uniqueness import verified_clash

    first = make_integration(tenant, "azure", "standard_feed")
    Integration.objects.filter(pk=first.pk).update(exports_from="2026-11-22T10:00:00Z")
    other = make_integration(
        other_tenant,
        "azure",
        "standard_feed",
        manifest_path="/m2",
        format="avro",
        compression="NONE",
    )
    assert isinstance(other, Integration)
    assert verified_clash(other) == "feed_path"


def test_it_rejects_a_shared_resolved_feed_path_within_one_tenant(tenant: Tenant) -> None:
    make_integration(tenant, "gcs", "standard_feed", name="A")
    # %FEED_NAME% spelled out resolves to the same place as the macro.
    errors = make_integration(
        tenant, "gcs", "standard_feed", name="B", manifest_path="/m2",
        feed_path="/feeds/standard_feed/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%",
    )  # fmt: skip
    assert "feed_path" in errors


def test_it_rejects_two_raw_exports_into_one_directory_of_one_tenant(tenant: Tenant) -> None:
    make_integration(tenant, "s3", "clicks")
    errors = make_integration(tenant, "s3", "conversions", directory="/exports/clicks/")
    assert errors["directory"] == [
        "The integration “s3 clicks” already exports to this directory here."
    ]


def test_it_ignores_the_integration_itself_when_editing(tenant: Tenant) -> None:
    from exporthub.tenancy.auditlog import Actor
    from integrations.forms.registry import form_class
    from integrations.lifecycle.services import save_integration
    from tests.support.integrations import form_data

    integration = make_integration(tenant, "s3", "standard_feed")
    form = form_class("s3")(
        form_data("s3", "standard_feed", name="Renamed"),
        tenant=tenant, feed="standard_feed", instance=integration,
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert save_integration(form, Actor.system()).name == "Renamed"


def test_it_rejects_a_duplicate_name_in_one_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    make_integration(tenant, "s3", "clicks", name="Clicks")
    errors = make_integration(tenant, "gcs", "clicks", name="clicks")
    assert errors["name"] == ["Another integration of this tenant has this name."]
    assert isinstance(make_integration(other_tenant, "gcs", "clicks", name="Clicks"), Integration)


ICEBERG = {"format": "iceberg", "compression": "ZSTD"}


def test_it_rejects_an_iceberg_table_inside_a_raw_exports_directory(tenant: Tenant) -> None:
    """The raw export's files would land among the table's, and the table's clean-up deletes
    every file under data/ and metadata/ that no snapshot references."""
    make_integration(tenant, "s3", "clicks", name="Raw clicks")
    errors = make_integration(tenant, "s3", "standard_feed", name="Lake",
                              table_path="/exports/clicks/lake", **ICEBERG)  # fmt: skip
    assert errors["table_path"] == [
        "The integration “Raw clicks” already exports to a folder inside or around this "
        "table path here."
    ]


def test_it_rejects_a_raw_directory_around_an_iceberg_table(tenant: Tenant) -> None:
    make_integration(tenant, "s3", "standard_feed", name="Lake", table_path="/lake/events",
                     **ICEBERG)  # fmt: skip
    errors = make_integration(tenant, "s3", "clicks", name="Raw clicks", directory="/lake")
    assert errors["directory"] == [
        "The integration “Lake” already exports to a folder inside or around this directory here."
    ]
    # The bucket's root holds every path of the bucket.
    assert "directory" in make_integration(tenant, "s3", "clicks", name="Root", directory="/")


@pytest.mark.parametrize(
    ("field", "table_path"),
    [("manifest_path", "/manifests/lake"), ("feed_path", "/feeds/standard_feed")],
)
def test_it_rejects_an_iceberg_table_overlapping_a_log_level_exports_paths(
    tenant: Tenant, field: str, table_path: str
) -> None:
    make_integration(tenant, "s3", "standard_feed", name="Files")
    errors = make_integration(tenant, "s3", "clicks", name="Lake", table_path=table_path,
                              **ICEBERG)  # fmt: skip
    assert "“Files” already exports to" in str(errors["table_path"])
    # Seen from the other side: the feed path or manifest path around an existing table.
    Integration.objects.filter(name="Files").delete()
    assert isinstance(make_integration(tenant, "s3", "clicks", name="Lake", table_path=table_path,
                                       **ICEBERG), Integration)  # fmt: skip
    errors = make_integration(tenant, "s3", "standard_feed", name="Files")
    assert "“Lake” already exports to" in str(errors[field])


def test_it_rejects_an_iceberg_table_inside_another_table(tenant: Tenant) -> None:
    make_integration(tenant, "s3", "clicks", name="Outer", table_path="/lake", **ICEBERG)
    errors = make_integration(tenant, "s3", "conversions", name="Inner",
                              table_path="/lake/data", **ICEBERG)  # fmt: skip
    assert "“Outer” already exports to a folder inside or around" in str(errors["table_path"])


def test_it_allows_an_iceberg_table_beside_other_paths_sharing_a_name_prefix(
    tenant: Tenant,
) -> None:
    """/exports/clicks2 is not inside /exports/clicks: paths overlap by whole segments only."""
    make_integration(tenant, "s3", "clicks", name="Raw clicks")
    make_integration(tenant, "s3", "standard_feed", name="Files")
    lake = make_integration(tenant, "s3", "conversions", name="Lake",
                            table_path="/exports/clicks2", **ICEBERG)  # fmt: skip
    assert isinstance(lake, Integration), lake
    other_bucket = make_integration(tenant, "s3", "conversions", name="Elsewhere",
                                    table_path="/exports/clicks/lake", bucket="acme-two",
                                    **ICEBERG)  # fmt: skip
    assert isinstance(other_bucket, Integration), other_bucket


def test_the_api_refuses_an_iceberg_table_inside_a_feed_path(admin_api: Client) -> None:
    files = admin_api.post(API, json.dumps(S3_BODY), content_type="application/json")
    assert files.status_code == 201, files.content
    config = {**S3_BODY["config"], **ICEBERG, "table_path": "/feeds/standard_feed/lake"}
    body = {**S3_BODY, "name": "Lake", "config": config}
    response = admin_api.post(API, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "inside or around this table path" in response.content.decode()


def test_across_tenants_an_iceberg_table_inside_a_verified_directory_is_refused_at_verify(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    from integrations.lifecycle.uniqueness import verified_clash

    first = make_integration(tenant, "s3", "clicks")
    Integration.objects.filter(pk=first.pk).update(exports_from="2026-11-22T10:00:00Z")
    lake = make_integration(other_tenant, "s3", "standard_feed", table_path="/exports",
                            **ICEBERG)  # fmt: skip
    assert isinstance(lake, Integration), lake
    assert verified_clash(lake) == "table_path"
