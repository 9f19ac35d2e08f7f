"""A tenant's runs waiting for one of its places are handed out as places come free, by the
tick no more of them than it has places free: the exports queue stays free for other tenants'
windows (docs/operations.md, "A tenant's share of the exports")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exporthub import queues
from exporthub.bulkheads import slots
from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs import clock, ledger, places
from feeds.runs.ledger import slices as ledger_slices
from feeds.runs.on_demand import backfills
from feeds.runs.places import Waiting
from feeds.runs.schedule import schedule
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=3, minutes=16)


def _clicks(tenant: Tenant, s3_env: str, name: str) -> Integration:
    return active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env), name=name)


def test_a_capped_tenants_stepped_aside_backlog_is_not_resent_on_every_tick(
    tenant: Tenant, other_tenant: Tenant, s3_env: str
) -> None:
    mine = _clicks(tenant, s3_env, "backlog")
    theirs = _clicks(other_tenant, s3_env, "theirs")
    # The tenant's one place is held by a run hanging on its destination.
    assert slots.take(tenant.pk, queues.EXPORTS, 1, lease=ledger.lease(), tag="hanging")
    backlog = ExportRun.objects.filter(integration=mine)
    first = schedule(NOW)
    # The other tenant's oldest window is sent at once, its place free.
    oldest = ExportRun.objects.filter(integration=theirs).order_by("window_start").first()
    assert oldest is not None and oldest.pk in first
    for tick in range(3):
        sent = schedule(NOW + timedelta(seconds=2 * tick))
        # Every message for the backlog would find the place held and step aside again.
        for run_id in backlog.values_list("pk", flat=True):
            ledger.unqueue(run_id)
        assert not set(sent) & set(backlog.values_list("pk", flat=True)), tick
    assert backlog.count() == 13  # windows of 15 minutes from 10:00 to 13:15


def test_a_tick_sends_a_tenant_as_many_runs_as_it_has_places_free(
    tenant: Tenant, s3_env: str, settings: object
) -> None:
    settings.EXPORT_WORKERS_PER_TENANT = 3  # type: ignore[attr-defined]
    mine = _clicks(tenant, s3_env, "backlog")
    assert slots.take(tenant.pk, queues.EXPORTS, 3, lease=ledger.lease(), tag="hanging")
    sent = schedule(NOW)
    assert sorted(sent) == sorted(
        ExportRun.objects.filter(integration=mine)
        .order_by("window_start")
        .values_list("pk", flat=True)[:2]
    )


def _all_stepped_aside(integration: Integration) -> list[int]:
    """Every run of the integration took itself off the queue, its tenant's place held."""
    runs = list(
        ExportRun.objects.filter(integration=integration)
        .order_by("window_start")
        .values_list("pk", flat=True)
    )
    for run_id in runs:
        ledger.unqueue(run_id)
    return runs


def test_a_slice_that_stepped_aside_is_handed_out_before_the_tenants_backlog(
    tenant: Tenant, s3_env: str
) -> None:
    mine = _clicks(tenant, s3_env, "backlog")
    schedule(NOW)
    hour, *backlog = _all_stepped_aside(mine)
    with clock.simulated(NOW):
        # A sliced hour: its worker was OOM-killed, and the slice it had sent found the
        # tenant's place held by it and stepped aside.
        run = ledger.claim(hour)
        assert run is not None
        _, aside = ledger_slices.create(
            run, [T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=15)], NOW
        )
        ledger_slices.unqueue(aside)
        # The place given back goes to the slice, then (once) to the oldest run of the backlog.
        assert places.next_waiting(tenant.pk) == Waiting(aside, is_slice=True)
        assert places.next_waiting(tenant.pk) == Waiting(backlog[0])
        assert places.next_waiting(tenant.pk) == Waiting(backlog[1])


def test_a_backfill_run_that_stepped_aside_is_handed_out_before_the_tenants_backlog(
    tenant: Tenant, s3_env: str
) -> None:
    mine = active(tenant, "s3", "clicks", T0 + timedelta(hours=3), bucket=new_bucket(s3_env))
    with clock.simulated(NOW):
        backfill = backfills.request_backfill(mine, T0, T0 + timedelta(hours=1), Actor(label="a"))
        schedule(NOW)
        _all_stepped_aside(mine)
        head = backfills.hand_out(backfill.pk, NOW)
        assert head is not None
        ledger.unqueue(head)  # it found the place held
        live = ExportRun.objects.get(integration=mine, backfill=None)
        assert places.next_waiting(tenant.pk) == Waiting(head)
        assert places.next_waiting(tenant.pk) == Waiting(live.pk)
        # Still one run at a time for the backfill.
        assert places.next_waiting(tenant.pk) is None
