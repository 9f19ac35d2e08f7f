"""The `iceberg` format's settings (issue 36): a Table path on the forms and the API, validated
and unique like the other paths, and a Verify that proves what the table's export does under it
(write, read, list, delete; no renames or manifest grants)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations.catalog import Operation, operations
from integrations.destinations.s3.policy import permission_statements
from integrations.models import Integration, Verification
from integrations.verify.runs import run_verification, start_verification
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.integrations import API, S3_BODY, make_integration

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_the_iceberg_format_needs_a_valid_table_path(tenant: Tenant, feed: str) -> None:
    missing = make_integration(tenant, "s3", feed, format="iceberg", compression="ZSTD")
    assert missing["table_path"] == ["The Iceberg format needs a table path."]
    macros = make_integration(tenant, "s3", feed, format="iceberg", compression="ZSTD",
                              table_path="/lake/%YEAR%")  # fmt: skip
    assert macros["table_path"] == ["This path does not support macros."]
    made = make_integration(tenant, "s3", feed, format="iceberg", compression="ZSTD",
                            table_path="lake/events/")  # fmt: skip
    assert isinstance(made, Integration)
    assert made.config["table_path"] == "/lake/events"
    assert made.config["format"] == "iceberg"


def test_two_iceberg_exports_of_a_tenant_cannot_share_a_table(tenant: Tenant) -> None:
    fields = {"format": "iceberg", "compression": "ZSTD", "table_path": "/lake/t"}
    first = make_integration(tenant, "s3", "standard_feed", name="one", **fields)
    assert isinstance(first, Integration)
    second = make_integration(tenant, "s3", "segment_feed", name="two", **fields)
    assert second["table_path"] == [
        "The integration “one” already exports to this table path here."
    ]
    elsewhere = make_integration(tenant, "s3", "segment_feed", name="three",
                                 **{**fields, "table_path": "/lake/u"})  # fmt: skip
    assert isinstance(elsewhere, Integration)


def test_the_api_takes_and_shows_the_table_path(admin_api: Client) -> None:
    config = {**S3_BODY["config"], "format": "iceberg", "compression": "SNAPPY",
              "table_path": "/lake/standard"}  # fmt: skip
    body = {**S3_BODY, "config": config}
    response = admin_api.post(API, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    shown = response.json()["config"]
    assert (shown["format"], shown["table_path"]) == ("iceberg", "/lake/standard")
    listed = admin_api.get(f"{API}/{response.json()['id']}").json()["config"]
    assert listed["table_path"] == "/lake/standard"
    other = admin_api.post(API, json.dumps({**S3_BODY, "name": "avro"}),
                           content_type="application/json")  # fmt: skip
    assert other.json()["config"]["table_path"] is None


def test_an_iceberg_table_needs_listing_but_no_renames_and_s3_grants_exactly_that() -> None:
    needs = operations("clicks", "iceberg")
    assert needs == {Operation.WRITE, Operation.READ, Operation.DELETE, Operation.LIST}
    assert operations("standard_feed", "iceberg") == needs
    config = {"bucket": "b", "region": "us-east-1", "format": "iceberg", "table_path": "/lake/c"}
    statements = {s["Sid"]: s for s in permission_statements(config, "clicks")}
    assert statements["ExportHubObjects"]["Resource"] == ["arn:aws:s3:::b/lake/c/*"]
    assert set(statements["ExportHubObjects"]["Action"]) == {
        "s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"
    }  # fmt: skip
    listing = statements["ExportHubList"]["Condition"]["StringLike"]["s3:prefix"]
    assert listing == ["lake/c/*"]


def test_verify_proves_the_table_path(
    s3_env: str, tenant: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    integration = make_integration(
        tenant, "s3", "standard_feed", bucket=new_bucket(s3_env), format="iceberg",
        compression="ZSTD", table_path="/lake/standard",
    )  # fmt: skip
    verification, _ = start_verification(integration, Actor.system(), enqueue=False)
    run_verification(verification.pk)
    verification = Verification.objects.get(pk=verification.pk)
    steps = [step["name"] for step in verification.steps]
    assert verification.state == "passed", verification.steps
    assert "Creating prefix at /lake/standard" in steps
    assert "Listing /lake/standard" in steps
    assert not [name for name in steps if "Renaming" in name or "manifest" in name.lower()]
