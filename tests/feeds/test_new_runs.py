"""The tick's one-statement insert: model defaults on every column, existing runs untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs.ledger import create_runs
from feeds.runs.ledger.new_runs import NewRun
from tests.support.exports import active

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def test_new_runs_get_every_model_default(tenant: Tenant) -> None:
    integration = active(tenant, "s3", "clicks", HOUR, bucket="not-contacted")
    before = timezone.now()
    create_runs([NewRun(integration.pk, HOUR, HOUR + QUARTER, ExportRun.Status.PENDING),
                 NewRun(integration.pk, HOUR + QUARTER, HOUR + 2 * QUARTER,
                        ExportRun.Status.SKIPPED)])  # fmt: skip
    made = list(ExportRun.objects.order_by("window_start"))
    assert [(r.window_start, r.window_end, r.status) for r in made] == [
        (HOUR, HOUR + QUARTER, "pending"),
        (HOUR + QUARTER, HOUR + 2 * QUARTER, "skipped"),
    ]
    reference = ExportRun(integration=integration, window_start=HOUR, window_end=HOUR)
    for field in ExportRun._meta.concrete_fields:
        if field.name in ("id", "integration", "window_start", "window_end", "status"):
            continue
        if field.name == "created_at":
            assert all(before <= r.created_at <= timezone.now() for r in made)
            continue
        expected = getattr(reference, field.attname)
        assert [getattr(r, field.attname) for r in made] == [expected, expected], field.name


def test_a_run_that_exists_is_left_as_it_is(tenant: Tenant) -> None:
    integration = active(tenant, "s3", "clicks", HOUR, bucket="not-contacted")
    done = ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + QUARTER, status="succeeded",
        rows=7,
    )  # fmt: skip
    create_runs([NewRun(integration.pk, HOUR, HOUR + QUARTER, ExportRun.Status.PENDING)])
    create_runs([])
    assert list(ExportRun.objects.values_list("pk", "status", "rows")) == [
        (done.pk, "succeeded", 7)
    ]
