"""Verify against the S3 stand-in (moto server), with real IAM enforcement where it matters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from exporthub.tenancy.models import AuditEntry, Tenant
from integrations.models import Integration, State
from tests.integrations.destinations.s3.answers import missing_keys_answer_403
from tests.integrations.destinations.s3.iam_world import IamWorld
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

from .standin import s3_bucket, s3_client, s3_keys

pytestmark = pytest.mark.django_db


# --- the permissive stand-in: behaviour of the checks -------------------------------------
@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_passes_activates_and_cleans_up(s3_env: str, tenant: Tenant, feed: str) -> None:
    bucket = s3_bucket(s3_env)
    integration = make_integration(tenant, "s3", feed, bucket=bucket)
    verification = verify(integration)
    assert verification.state == "passed", failed_step(verification)
    assert all(step["ok"] for step in verification.steps)
    names = [step["name"] for step in verification.steps]
    assert "Multipart upload (5 MiB part, complete and abort)" in names
    assert ("Renaming an object (copy + delete)" in names) == (feed == "standard_feed")
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    assert s3_keys(s3_env, bucket) == []
    assert AuditEntry.objects.filter(
        action="integration.state_changed", changes__state__new="active"
    ).exists()


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_passes_where_s3_answers_a_missing_key_with_403(
    s3_env: str, tenant: Tenant, feed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real S3 answers a HEAD of a missing key with 403, not 404, to a caller without
    s3:ListBucket there; the stand-in's 404s are turned into S3's answer."""
    missing_keys_answer_403(monkeypatch)
    bucket = s3_bucket(s3_env)
    verification = verify(make_integration(tenant, "s3", feed, bucket=bucket))
    assert verification.state == "passed", failed_step(verification)
    assert s3_keys(s3_env, bucket) == []


@pytest.mark.parametrize("sse", ["sse-s3", "sse-kms"])
def test_it_proves_the_configured_encryption(s3_env: str, tenant: Tenant, sse: str) -> None:
    bucket = s3_bucket(s3_env)
    kms = s3_client(s3_env, "kms").create_key()["KeyMetadata"]["KeyId"] if sse == "sse-kms" else ""
    integration = make_integration(
        tenant, "s3", "standard_feed", bucket=bucket, sse=sse, kms_key_id=kms
    )
    assert verify(integration).state == "passed"


def test_it_reports_a_wrong_region(s3_env: str, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks", bucket=s3_bucket(s3_env, "eu-west-1"))
    step = failed_step(verify(integration))
    assert step["name"] == "Bucket reachable"
    assert (step["code"], step["detail"]) == (
        "WrongRegion",
        "The bucket is in eu-west-1, not in us-west-2.",
    )


def test_it_reports_a_missing_bucket(s3_env: str, tenant: Tenant) -> None:
    step = failed_step(
        verify(make_integration(tenant, "s3", "clicks", bucket="no-such-bucket-here"))
    )
    assert (step["name"], step["code"]) == ("Bucket reachable", "NoSuchBucket")
    assert "check Bucket" in step["hint"]


def test_it_finds_manifests_in_glacier(s3_env: str, tenant: Tenant) -> None:
    bucket = s3_bucket(s3_env)
    s3 = s3_client(s3_env)
    s3.put_object(Bucket=bucket, Key="manifests/standard_feed-998-2017013109-20170131132522.json",
                  Body=b"{}", StorageClass="GLACIER")  # fmt: skip
    s3.put_object(
        Bucket=bucket, Key="manifests/archive/old.json", Body=b"{}", StorageClass="GLACIER"
    )
    step = failed_step(verify(make_integration(tenant, "s3", "standard_feed", bucket=bucket)))
    assert (step["name"], step["code"]) == (
        "Checking for manifest files in GLACIER",
        "ManifestInGlacier",
    )
    assert "archive/old.json" not in step["detail"]
    assert "manifests/archive is fine" in step["hint"] or "archive/ folder is fine" in step["hint"]


def test_it_refuses_a_manually_created_folder(s3_env: str, tenant: Tenant) -> None:
    bucket = s3_bucket(s3_env)
    s3_client(s3_env).put_object(Bucket=bucket, Key="manifests/", Body=b"")
    verification = verify(make_integration(tenant, "s3", "standard_feed", bucket=bucket))
    step = failed_step(verification)
    assert (step["name"], step["code"]) == ("Creating prefix at /manifests", "ManualFolderObject")
    assert [s["status"] for s in verification.steps[-2:]] == ["skipped", "skipped"]
    assert s3_keys(s3_env, bucket) == ["manifests/"]  # ours removed, theirs untouched


def test_it_reads_the_acl_of_existing_manifests(s3_env: str, tenant: Tenant) -> None:
    bucket = s3_bucket(s3_env)
    s3_client(s3_env).put_object(
        Bucket=bucket, Key="manifests/standard_feed-998-2017013109-20170131132522.json", Body=b"{}"
    )
    verification = verify(make_integration(tenant, "s3", "standard_feed", bucket=bucket))
    acl_step = next(
        s for s in verification.steps if s["name"].startswith("Checking meta-information")
    )
    assert acl_step["detail"] == "Read the ACL of 1 manifest(s); ExportHub has full control."


# --- the IAM-enforcing stand-in (iam_world.py): real permission failures ---
def _as(world: IamWorld, user: str, tenant: Tenant, feed: str, **extra: str) -> Integration:
    key, secret = world.users[user]
    fields = {
        "bucket": world.bucket,
        "region": "us-east-1",
        "access_key": key,
        "secret_key": secret,
    }
    return make_integration(tenant, "s3", feed, **{**fields, **extra})


@pytest.mark.parametrize(
    ("user", "feed"), [("raw-writer", "clicks"), ("lld-writer", "standard_feed")]
)
def test_it_passes_with_exactly_the_policy_exporthub_suggests(
    iam_env: IamWorld, tenant: Tenant, user: str, feed: str
) -> None:
    verification = verify(_as(iam_env, user, tenant, feed))
    assert verification.state == "passed", failed_step(verification)


def test_it_stops_a_read_only_user_at_the_first_write(iam_env: IamWorld, tenant: Tenant) -> None:
    step = failed_step(verify(_as(iam_env, "reader", tenant, "standard_feed")))
    assert (step["name"], step["code"]) == ("Creating prefix at /manifests", "AccessDenied")
    assert "Apply the policy shown on the integration page" in step["hint"]


def test_it_does_not_give_raw_feeds_rights_for_manifests(iam_env: IamWorld, tenant: Tenant) -> None:
    step = failed_step(verify(_as(iam_env, "raw-writer", tenant, "standard_feed")))
    assert step["code"] == "AccessDenied"


@pytest.mark.parametrize(
    ("credentials", "code"),
    [(("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "InvalidAccessKeyId"),
     (None, "SignatureDoesNotMatch")],
)  # fmt: skip
def test_it_names_bad_credentials(
    iam_env: IamWorld, tenant: Tenant, credentials: tuple[str, str] | None, code: str
) -> None:
    key, secret = credentials or (iam_env.users["admin"][0], "not-the-right-secret-key")
    integration = make_integration(
        tenant,
        "s3",
        "clicks",
        bucket=iam_env.bucket,
        region="us-east-1",
        access_key=key,
        secret_key=secret,
    )
    step = failed_step(verify(integration))
    assert (step["name"], step["code"]) == ("Bucket reachable", code)
    assert step["permanent"] is True
    assert secret not in json.dumps(step)


def test_it_assumes_the_customers_role_with_the_external_id(
    iam_env: IamWorld, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.S3_PLATFORM_PRINCIPAL_ARN = "arn:aws:iam::123456789012:user/platform"
    key, secret = iam_env.users["platform"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    integration = _as(iam_env, "platform", tenant, "standard_feed", auth_mode="assume_role",
                      role_arn=iam_env.role_arn, access_key="", secret_key="")  # fmt: skip
    assert verify(integration).state == "passed"


def test_it_deactivates_an_active_integration_that_lost_access(
    iam_env: IamWorld, tenant: Tenant
) -> None:
    integration = _as(iam_env, "reader", tenant, "clicks")
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    integration.refresh_from_db()
    assert verify(integration).state == "failed"
    integration.refresh_from_db()
    assert integration.state == State.DEACTIVATED


@pytest.mark.parametrize(
    "folder", ["manifests/2026/", "feeds/standard_feed/2026/11/", "manifests/archive/"]
)
def test_it_refuses_a_folder_object_made_by_hand_below_a_configured_prefix(
    s3_env: str, tenant: Tenant, folder: str
) -> None:
    bucket = s3_bucket(s3_env)
    s3_client(s3_env).put_object(Bucket=bucket, Key=folder, Body=b"")
    integration = make_integration(
        tenant, "s3", "standard_feed", bucket=bucket,
        feed_path="/feeds/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%",
    )  # fmt: skip
    step = failed_step(verify(integration))
    assert step["code"] == "ManualFolderObject" and folder in step["detail"]


def test_a_manifest_that_does_not_grant_exporthub_full_control_fails_verify(
    s3_env: str, tenant: Tenant
) -> None:
    """Seed 004's troubleshooting: get-object-acl of every non-archived manifest must show
    ExportHub's identity with FULL_CONTROL; here the grant was replaced by another account's."""
    bucket, s3 = s3_bucket(s3_env), s3_client(s3_env)
    key = "manifests/standard_feed-998-2017013109-20170131132522.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b"{}", GrantFullControl=f'id="{"f" * 64}"')
    step = failed_step(verify(make_integration(tenant, "s3", "standard_feed", bucket=bucket)))
    assert (step["name"], step["code"]) == (
        "Checking meta-information access on manifest files",
        "ManifestGrantMissing",
    )
    assert key in step["detail"] and "FULL_CONTROL" in step["hint"]
