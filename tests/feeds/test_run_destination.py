"""After a destination change the history still says where each hour went, and the manifests a
run left at an earlier Manifest path in the same bucket are still looked after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import ExportRun
from integrations.forms.registry import form_class
from integrations.lifecycle.services import save_integration
from integrations.models import Integration, State
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, run_exports
from tests.support.integrations import form_data

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def _configure(integration: Integration, **changes: str) -> Integration:
    """Configure through the real form and service, then verified again (as after Verify)."""
    data = form_data("s3", integration.feed, **{**integration.config, **AVRO, **changes})
    data["notification_emails"] = "ops@acme.example"
    form = form_class("s3")(data, tenant=integration.tenant, feed=integration.feed,
                            instance=integration)  # fmt: skip
    assert form.is_valid(), form.errors
    saved = save_integration(form, Actor.system())
    Integration.objects.filter(pk=saved.pk).update(state=State.ACTIVE)
    saved.refresh_from_db()
    return saved


def test_each_run_records_the_bucket_it_wrote_to_after_a_bucket_change(
    s3_env: str, tenant: Tenant, admin_client: Client
) -> None:
    first, second = new_bucket(s3_env), new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=first, **AVRO)
    events(tenant, "standard_feed", 10, HOUR, HOUR + timedelta(hours=2))
    run_exports("2026-11-22T11:11:00Z")
    _configure(integration, bucket=second)
    run_exports("2026-11-22T12:11:00Z")
    where = dict(ExportRun.objects.values_list("window_start__hour", "destination"))
    assert where == {10: f"s3://{first}", 11: f"s3://{second}"}
    key = ApiKey.issue(tenant, Role.VIEWER, "v")[1]
    runs = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(
        f"/api/v1/integrations/{integration.pk}/runs"
    )
    assert [run["destination"] for run in runs.json()] == [f"s3://{second}", f"s3://{first}"]
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert f"s3://{first}" in page and f"s3://{second}" in page
    configure = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/configure/")
    text = configure.content.decode()
    assert "What stays where" in text and f"s3://{second}" in text


def test_an_earlier_manifest_path_in_the_same_bucket_is_still_failed_and_archived(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    integration = _configure(integration, manifest_path="/manifests-v2")
    assert integration.manifest_paths == ["/manifests-v2", "/manifests"]
    stale = "manifests/standard_feed-998-2026112209-20261122100100.json-processing"
    old = "manifests/standard_feed-998-2026102009-20261020100100.json"
    for key in (stale, old):
        s3(s3_env).put_object(Bucket=bucket, Key=key, Body=b"{}")
    run_exports("2026-11-22T11:11:00Z")
    keys = set(objects(s3_env, bucket))
    assert stale.replace("-processing", "-failed") in keys and stale not in keys
    assert old.replace("manifests/", "manifests/archive/") in keys
    assert any(k.startswith("manifests-v2/standard_feed-998-2026112210-") for k in keys)
    moved_bucket = _configure(integration, bucket=new_bucket(s3_env))
    assert moved_bucket.manifest_paths == ["/manifests-v2"]  # the old bucket is not looked at
