"""In the bucket-policy mode ExportHub writes as its own seat role, so on a bucket whose object
ownership is "ObjectWriter" the objects would be ExportHub's and the customer could not read
them: every object is written with `bucket-owner-full-control` (accepted under
"BucketOwnerEnforced" too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from tests.integrations.destinations.s3.answers import record_requests
from tests.integrations.destinations.s3.iam_world import (
    IamWorld,
    acting_as_platform,
    client,
    grant_seat_role,
)
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
WRITES = ("PutObject", "CreateMultipartUpload", "CopyObject")


def test_it_grants_the_bucket_owner_full_control_of_every_object_in_the_bucket_policy_mode(
    iam_env: IamWorld, tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = acting_as_platform(iam_env, settings, monkeypatch)
    grant_seat_role(world, tenant.seat_id, world.bucket)
    settings.EXPORT_PART_BYTES = 20_000  # several parts, multipart for none: both kinds of write
    active(
        tenant, "s3", "standard_feed", HOUR, bucket=world.bucket, region="us-east-1",
        auth_mode="platform", access_key="", secret_key="", format="avro", compression="DEFLATE",
    )  # fmt: skip
    events(tenant, "standard_feed", 400, HOUR, HOUR + timedelta(hours=1))
    sent = record_requests(monkeypatch)
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get()
    assert run.status == "succeeded", (run.error_code, run.error_message)
    writes = [(operation, params) for operation, params in sent if operation in WRITES]
    assert len(writes) >= 3, writes  # -processing, the parts, the final manifest
    assert {params.get("ACL") for _, params in writes} == {"bucket-owner-full-control"}
    admin = client(world.url, "s3", *world.users["admin"])
    owner = admin.get_bucket_acl(Bucket=world.bucket)["Owner"]["ID"]
    grants = admin.get_object_acl(Bucket=world.bucket, Key=run.manifest)["Grants"]
    assert {"ID": owner, "Type": "CanonicalUser"} in [
        g["Grantee"] for g in grants if g["Permission"] == "FULL_CONTROL"
    ]


def test_it_sends_no_acl_with_the_customers_own_access_key(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The customer's own credentials write objects their account owns: no ACL is asked for
    (a bucket with ACLs disabled refuses any other than the owner's)."""
    from tests.integrations.destinations.s3.buckets import new_bucket

    active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env),
           format="avro", compression="DEFLATE")  # fmt: skip
    events(tenant, "standard_feed", 40, HOUR, HOUR + timedelta(hours=1))
    sent = record_requests(monkeypatch)
    run_exports("2026-11-22T11:11:00Z")
    assert ExportRun.objects.get().status == "succeeded"
    writes = [params for operation, params in sent if operation in WRITES]
    assert writes and all("ACL" not in params for params in writes)
