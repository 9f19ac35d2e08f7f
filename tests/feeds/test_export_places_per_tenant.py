"""A tenant whose destinations hang cannot hold every export worker: at most
EXPORT_WORKERS_PER_TENANT of its runs are on workers at once, its others wait for one of its
places off the workers, and other tenants' exports run meanwhile."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from exporthub import queues
from exporthub.bulkheads import slots
from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs import clock, ledger
from feeds.runs.schedule import schedule
from feeds.tasks import export_run
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events
from tests.support.hostile import Hostile, hostile_server
from tests.support.standins import self_signed_certificate

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=16)
TARPIT = "127.0.0.2"


def _take_message(run_id: int) -> str:
    """What an export worker process does with one message of the exports queue."""
    with clock.simulated(NOW):
        return str(export_run(run_id))


def _take_message_in_a_thread(run_id: int) -> str:
    try:
        return _take_message(run_id)
    finally:
        connection.close()  # each worker thread's own connection


@pytest.fixture
def tarpit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Hostile]:
    """The tenant's S3-compatible endpoint on 127.0.0.2: it accepts, reads the request and
    drips its answer a byte every 0.5 s until the test stops it."""
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [TARPIT]
    # Longer than the other tenant's export takes, so only the cap can let it through.
    settings.TENANT_CONNECTION_SECONDS = 30.0
    certificate = self_signed_certificate(tmp_path, "tarpit", (TARPIT,))
    monkeypatch.setenv("AWS_CA_BUNDLE", str(certificate[0]))
    with hostile_server(
        "drip", host=TARPIT, certificate=certificate, interval=0.5, drip_for=600
    ) as server:
        yield server
        server.stopped = True


def _runs(integrations: list[Integration]) -> list[int]:
    schedule(NOW)
    return [ExportRun.objects.get(integration=i, window_start=T0).pk for i in integrations]


def test_a_tenant_with_several_tarpit_integrations_leaves_another_tenants_export_a_worker(
    tenant: Tenant, other_tenant: Tenant, s3_env: str, tarpit: Hostile
) -> None:
    endpoint = f"https://{TARPIT}:{tarpit.port}"
    stuck = [
        active(tenant, "s3", "clicks", T0, endpoint_url=endpoint, bucket=f"t-{n}", name=f"t {n}")
        for n in range(2)
    ]
    bucket = new_bucket(s3_env)
    good = active(other_tenant, "s3", "clicks", T0, bucket=bucket)
    events(tenant, "clicks", 20, T0, T0 + timedelta(minutes=15))
    events(other_tenant, "clicks", 20, T0, T0 + timedelta(minutes=15))
    *theirs, mine = _runs([*stuck, good])
    # Two export worker processes (make run's), the tenant's messages first in the queue. One
    # message is taken at a time, so that the threads never write SQLite's test database at
    # once (its in-memory form locks a table per writer; separate processes wait instead).
    with ThreadPoolExecutor(max_workers=2) as workers:
        held = [workers.submit(_take_message_in_a_thread, theirs[0])]
        while not tarpit.sent and not held[0].done():  # until it is in the tarpit
            time.sleep(0.05)
        held.append(workers.submit(_take_message_in_a_thread, theirs[1]))
        other = workers.submit(_take_message_in_a_thread, mine)
        assert other.result() == ExportRun.Status.SUCCEEDED
        # Meanwhile one of the tenant's runs is still in the tarpit and the other waits for
        # the tenant's place without a worker: neither has ended.
        waiting = ExportRun.objects.filter(pk__in=theirs)
        assert sorted(waiting.values_list("status", "attempts")) == [
            (ExportRun.Status.PENDING, 0),
            (ExportRun.Status.RUNNING, 1),
        ]
        assert tarpit.accepted >= 1 and tarpit.sent > 0
        tarpit.stopped = True
        results = [future.result() for future in held]
    assert results.count("waiting") == 1
    assert any(key.endswith(".csv.gz") for key in objects(s3_env, bucket))
    # The waiting run was neither lost nor sent twice: the run that gave the place back handed
    # it out, and each was attempted once.
    ended = ExportRun.objects.filter(pk__in=theirs).values_list("status", "attempts")
    assert sorted(attempts for status, attempts in ended if status != "running") == [1, 1]


def _two_runs(tenant: Tenant, s3_env: str) -> list[int]:
    bucket = new_bucket(s3_env)
    integrations = [
        active(tenant, "s3", "clicks", T0, bucket=bucket, directory=f"/c{n}", name=f"clicks {n}")
        for n in range(2)
    ]
    events(tenant, "clicks", 20, T0, T0 + timedelta(minutes=15))
    return _runs(integrations)


def _worker_takes_place_and_run(tenant: Tenant, run_id: int) -> str:
    """What a worker did before it was killed (SIGKILL: nothing after this runs); its place."""
    with clock.simulated(NOW):
        token = slots.take(
            tenant.pk, queues.EXPORTS, 1, lease=ledger.lease(), tag=ledger.place_tag(run_id)
        )
        assert token is not None
        assert ledger.claim(run_id) is not None
    return token


def _at(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: instant)


@pytest.mark.django_db
def test_a_place_held_by_a_killed_worker_is_free_once_the_lease_it_renewed_last_ends(
    tenant: Tenant, s3_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed, waiting = _two_runs(tenant, s3_env)
    began = timezone.now()
    place = _worker_takes_place_and_run(tenant, killed)
    assert _take_message(waiting) == "waiting"
    # Not lost while nobody hands it out: off the queue, sent by the first tick that finds a
    # place of the tenant free (none is while the killed worker's lease lasts).
    assert waiting not in schedule(NOW)
    # The worker renewed its run's lease (a part written) most of a lease later, then died.
    _at(monkeypatch, began + ledger.lease() * 0.9)
    with clock.simulated(NOW), ledger.in_place(place):
        ledger.extend_lease(ExportRun.objects.get(pk=killed))
    _at(monkeypatch, began + ledger.lease() * 1.5)
    assert _take_message(waiting) == "waiting"
    _at(monkeypatch, began + ledger.lease() * 2)
    assert waiting in schedule(NOW)
    assert _take_message(waiting) == ExportRun.Status.SUCCEEDED
    # The place was given back after that export: the next run of the tenant finds it free.
    assert slots.take(tenant.pk, queues.EXPORTS, 1) is not None


@pytest.mark.django_db
def test_a_run_that_stepped_aside_is_handed_out_when_the_place_is_given_back(
    tenant: Tenant, s3_env: str
) -> None:
    first, second = _two_runs(tenant, s3_env)
    token = slots.take(tenant.pk, queues.EXPORTS, 1, lease=ledger.lease(), tag="elsewhere")
    assert _take_message(second) == "waiting"
    slots.give_back(str(token))
    # The first run's worker hands the second out when it gives the place back (inline here).
    assert _take_message(first) == ExportRun.Status.SUCCEEDED
    assert ExportRun.objects.get(pk=second).status == ExportRun.Status.SUCCEEDED
