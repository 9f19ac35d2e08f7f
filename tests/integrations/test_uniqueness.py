"""Seed 004 "Uniqueness criteria", plus raw directories (their file names would collide)."""

from __future__ import annotations

import pytest

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.support.integrations import make_integration

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
    from integrations.forms import form_class
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
