"""A place held by a worker that died is given back when its own lease ends, whatever other
workers go on doing for the same run (docs/operations.md, "A tenant's share of the exports")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from exporthub import queues
from exporthub.bulkheads import slots
from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs import clock, ledger, places
from feeds.runs.schedule import schedule
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=16)


def _run(tenant: Tenant, s3_env: str) -> int:
    integration = active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    schedule(NOW)
    return ExportRun.objects.get(integration=integration, window_start=T0).pk


def _at(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: instant)


def test_a_killed_slice_workers_place_is_not_kept_alive_by_the_hours_worker(
    tenant: Tenant, s3_env: str, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    settings.EXPORT_WORKERS_PER_TENANT = 2  # type: ignore[attr-defined]
    run_id = _run(tenant, s3_env)
    began = timezone.now()
    with clock.simulated(NOW):
        # A slice worker of the hour takes a place and is SIGKILLed: nothing after this runs.
        killed = slots.take(
            tenant.pk, queues.EXPORTS, 2, lease=ledger.lease(), tag=ledger.place_tag(run_id)
        )
        assert killed is not None
        run = ledger.claim(run_id)
        assert run is not None
        # The hour's own worker goes on, renewing its lease (and its place) part after part.
        with places.held(tenant.pk, run_id, step_aside=lambda: None) as free:
            assert free
            _at(monkeypatch, began + ledger.lease() * 0.9)
            ledger.extend_lease(run)
            _at(monkeypatch, began + ledger.lease() * 1.5)
            # The dead worker's place is free again; the live one's is still held.
            assert slots.free_places([tenant.pk], queues.EXPORTS, 2) == {tenant.pk: 1}
            assert slots.take(tenant.pk, queues.EXPORTS, 2) is not None
