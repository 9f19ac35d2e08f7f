"""Starting and following Verify: API, page, command; one at a time; tenant isolation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from io import StringIO
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.core.management import CommandError, call_command
from django.test import Client

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations.models import Integration, State, Verification
from integrations.verify.runs import start_verification
from tests.support.integrations import make_integration

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_integration(s3_env: str, tenant: Tenant) -> Integration:
    bucket = f"flows-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_env,
        region_name="us-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    return make_integration(tenant, "s3", "standard_feed", bucket=bucket)


def test_it_starts_verify_through_the_api_and_reports_the_steps(
    admin_api: Client,
    s3_integration: Integration,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"/api/v1/integrations/{s3_integration.pk}/verify")
    assert response.status_code == 202
    verification_id = response.json()["id"]
    body = admin_api.get(f"/api/v1/verifications/{verification_id}").json()
    assert body["state"] == "passed"
    assert {"name", "ok", "code", "detail", "hint"} <= set(body["steps"][0])
    assert all(step["ok"] is True for step in body["steps"])
    assert admin_api.get(f"/api/v1/integrations/{s3_integration.pk}").json()["state"] == "active"


def test_it_runs_one_verify_at_a_time(s3_integration: Integration, admin_api: Client) -> None:
    first, created = start_verification(s3_integration, Actor.system(), enqueue=False)
    assert created
    response = admin_api.post(f"/api/v1/integrations/{s3_integration.pk}/verify")
    assert response.status_code == 202
    assert response.json()["id"] == first.pk
    assert Verification.objects.count() == 1


def test_it_keeps_verifications_to_their_tenant(
    s3_integration: Integration, outsider_api: Client, viewer_api: Client
) -> None:
    verification, _ = start_verification(s3_integration, Actor.system(), enqueue=False)
    assert outsider_api.post(f"/api/v1/integrations/{s3_integration.pk}/verify").status_code == 404
    assert outsider_api.get(f"/api/v1/verifications/{verification.pk}").status_code == 404
    assert viewer_api.post(f"/api/v1/integrations/{s3_integration.pk}/verify").status_code == 403
    assert viewer_api.get(f"/api/v1/verifications/{verification.pk}").status_code == 200


def test_it_verifies_from_the_page_and_shows_the_steps(
    admin_client: Client, s3_integration: Integration, tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:  # fmt: skip
    base = f"/t/{tenant.slug}/integrations/{s3_integration.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(base + "verify/")
    assert response.status_code == 302
    page = admin_client.get(base).content.decode()
    assert "Passed: the integration is active." in page
    assert "Creating prefix at /manifests" in page
    verification = Verification.objects.get()
    status = admin_client.get(f"{base}verifications/{verification.pk}.json").json()
    assert status["state"] == "passed" and status["integration_state"] == "active"


def test_it_keeps_the_verify_button_from_viewers_and_outsiders(
    viewer_client: Client, outsider_client: Client, s3_integration: Integration, tenant: Tenant
) -> None:
    base = f"/t/{tenant.slug}/integrations/{s3_integration.pk}/"
    assert "Verify</button>" not in viewer_client.get(base).content.decode()
    assert viewer_client.post(base + "verify/").status_code == 403
    assert outsider_client.post(base + "verify/").status_code == 404
    verification, _ = start_verification(s3_integration, Actor.system(), enqueue=False)
    assert outsider_client.get(f"{base}verifications/{verification.pk}.json").status_code == 404
    assert not Verification.objects.exclude(pk=verification.pk).exists()


def test_the_command_prints_steps_and_activates(s3_integration: Integration) -> None:
    out = StringIO()
    call_command("verify_integration", str(s3_integration.pk), stdout=out)
    assert "[ok  ] Bucket reachable" in out.getvalue()
    assert "Verification passed; integration is active." in out.getvalue()
    s3_integration.refresh_from_db()
    assert s3_integration.state == State.ACTIVE


def test_the_command_fails_with_the_fix(s3_env: str, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks", bucket="missing-bucket-for-command")
    out = StringIO()
    with pytest.raises(CommandError, match="Verification failed"):
        call_command("verify_integration", str(integration.pk), stdout=out)
    assert "[FAIL] Bucket reachable — NoSuchBucket" in out.getvalue()
    assert "Fix: There is no such bucket" in out.getvalue()
    with pytest.raises(CommandError, match="No integration with id 999999"):
        call_command("verify_integration", "999999")
