"""The long runs: workers killed at random, faults injected by the clouds, broker and database
outages. Each returns the figures it measured; `__main__` prints them."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

from .driving import drain, drained_runs, export_runs, summary, tick, tick_until, two_workers
from .world import World


def backfill(world: World, hours: int) -> dict[str, Any]:
    """Every window of `hours` due at once, handed to two workers: runs of one integration's
    hours overlap all the time, and none may mark another's live manifest -failed."""
    with two_workers(world) as workers:
        began = time.monotonic()
        # The log-level hours alone first, as the log-level tick hands them out: the queue then
        # holds hour after hour of the same integrations, and the two workers take neighbours.
        log_level = export_runs().filter(integration__feed="standard_feed")
        tick_until(
            lambda: log_level.exists() and not log_level.exclude(status="succeeded").exists(),
            deadline=began + 600, kind="log_level",
        )  # fmt: skip
        finished = drain(world, workers, hours, timeout=900)
    figures = summary(world, hours, began, finished)
    figures["overlapping_log_level_runs"] = _overlaps()
    return figures


def _overlaps() -> int:
    """Pairs of log-level runs of one integration that were running at the same time."""
    runs = (
        export_runs()
        .filter(integration__feed="standard_feed")
        .exclude(finished_at=None)
        .exclude(duration_seconds=None)
        .values_list("integration_id", "finished_at", "duration_seconds")
    )
    spans = [(pk, end - timedelta(seconds=seconds), end) for pk, end, seconds in runs]
    return sum(
        a == b and a_start < b_end and b_start < a_end
        for n, (a, a_start, a_end) in enumerate(spans)
        for b, b_start, b_end in spans[n + 1 :]
    )


def admin_backfill(world: World, hours: int) -> dict[str, Any]:
    """An Admin backfills the first two hours while the schedule goes on: exports began an hour
    after the first generated hour, so that hour was never exported and the next one was.
    Two workers; the backfills' runs go one at a time behind the live windows."""
    from exporthub.tenancy.auditlog import Actor
    from feeds.models import Backfill
    from feeds.runs.on_demand import backfills
    from integrations.models import Integration

    integrations = Integration.objects.filter(pk__in=world.integrations)
    first = integrations.values_list("exports_from", flat=True)[0]
    assert first is not None  # populate activated them
    integrations.update(exports_from=first + timedelta(hours=1))
    with two_workers(world) as workers:
        began = time.monotonic()
        live_drained = drain(world, workers, hours - 1, timeout=600)
        for integration in integrations:
            backfills.request_backfill(
                integration, first, first + timedelta(hours=2), Actor(label="reliability")
            )
        tick_until(
            lambda: not any(p.running for p in backfills.progress_of(list(Backfill.objects.all()))),
            deadline=time.monotonic() + 600,
        )  # fmt: skip
        found = backfills.progress_of(list(Backfill.objects.all()))
        finished = live_drained and not any(f.running for f in found)
    figures = summary(world, hours, began, finished)
    figures.update(
        backfill_windows=sum(f.total for f in found),
        backfill_windows_done=sum(f.done for f in found),
        backfill_reprocessed_hours=sum(f.backfill.reprocessed for f in found),
        backfill_delivered_before=sum(len(f.backfill.delivered_before) for f in found),
        backfill_runs_in_flight_at_once=_most_backfill_runs_at_once(),
    )
    return figures


def _most_backfill_runs_at_once() -> int:
    """The most runs of one backfill that were running at the same time (should be 1)."""
    from feeds.models import ExportRun

    runs = (
        ExportRun.objects.filter(backfill__isnull=False)
        .exclude(finished_at=None)
        .exclude(duration_seconds=None)
        .values_list("backfill_id", "finished_at", "duration_seconds")
    )
    spans = [
        (b, end - timedelta(seconds=seconds), end)
        for b, end, seconds in runs
        if end is not None and seconds is not None  # excluded above; for the type checker
    ]
    return max(
        (sum(a == b and s < e2 and s2 < e for b, s2, e2 in spans) for a, s, e in spans), default=0
    )


def parallel_hour(world: World, hours: int) -> dict[str, Any]:
    """Every log-level hour is large (world.SLICED): its slices go to both workers. Once each
    worker holds a slice and one slice has a part out, one worker is SIGKILLed mid-slice and
    started again; its slice is handed out by the tick after its lease and taken over."""
    from feeds.models import ExportSlice

    with two_workers(world) as workers:
        began = time.monotonic()
        deadline, killed = began + 300, False
        while time.monotonic() < deadline and not killed:
            tick()
            running = ExportSlice.objects.filter(status="running")
            if running.count() == 2 and running.exclude(files=[]).exists():
                workers[0].kill()
                killed = True
                workers[0].start()
            time.sleep(0.2)
        finished = drain(world, workers, hours, timeout=600)
    figures = summary(world, hours, began, finished)
    pieces = ExportSlice.objects.all()
    figures.update(
        killed_mid_slice=killed,
        slices=pieces.count(),
        sliced_hours=pieces.values("run").distinct().count(),
        slices_taken_over=pieces.filter(claims__gt=1).count(),
        slices_not_succeeded=pieces.exclude(status="succeeded").count(),
    )
    return figures


def chaos(world: World, hours: int, kills: int, seed: int = 1) -> dict[str, Any]:
    """Two workers export every window; one of them is SIGKILLed every 0.5 to 4 s, `kills` times."""
    rng = random.Random(seed)  # noqa: S311 - test timing, not secrets
    with two_workers(world) as workers:
        began = time.monotonic()
        killed = during_export = 0
        rotation: dict[str, int] = {}
        while killed < kills:
            tick()
            time.sleep(rng.uniform(0.5, 4.0))
            if export_runs().filter(status="running").exists():
                during_export += 1
            rng.choice(workers).kill()
            killed += 1
            if killed == kills // 2 + 1:
                rotation = _rotate_keys()
            for worker in workers:
                if worker.process is None or worker.process.poll() is not None:
                    worker.start()
        finished = drain(world, workers, hours, timeout=600)
    figures = summary(world, hours, began, finished)
    figures.update(kills=killed, kills_with_a_run_in_flight=during_export, **rotation)
    figures["secrets_not_on_the_new_key_after"] = _not_on_primary_key()
    return figures


def _not_on_primary_key() -> int:
    from exporthub.crypto import is_encrypted_with_primary_key
    from integrations.models import Integration

    tokens = Integration.objects.values_list("encrypted_secrets", flat=True)
    return sum(not is_encrypted_with_primary_key(token) for token in tokens)


def _rotate_keys() -> dict[str, int]:
    """`rotate_encryption_keys` while the workers export (and keep being killed)."""
    import io

    from django.core.management import call_command

    before = _not_on_primary_key()
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    return {"secrets_rotated_under_load": before - _not_on_primary_key()}


def faults(world: World, hours: int, rate: float) -> dict[str, Any]:
    """Every window exported through proxies that fail `rate` of requests; then one integration
    loses its permission mid-run, which must deactivate it rather than be retried."""
    for plan in world.faults.values():
        plan.rate = rate
    with two_workers(world) as workers:
        began = time.monotonic()
        finished = drain(world, workers, hours, timeout=1800)
        # The ticks below keep creating the windows that close meanwhile (a quarter-hour may
        # pass), some still in flight at the end: the figures are of the drained windows.
        drained = drained_runs()
        figures = _permission_lost(world)
        figures.update(summary(world, hours, began, finished, up_to_run=drained))
    # The integration whose permission was taken away is the only one allowed to deactivate.
    figures["deactivated_by_transient_faults"] = figures.pop("deactivated") - int(
        figures["permission_loss_deactivated"]
    )
    figures["faults_injected"] = sum(p.total for p in world.faults.values())
    figures["requests_proxied"] = sum(p.requests for p in world.faults.values())
    by_kind: dict[str, int] = {}
    for plan in world.faults.values():
        for kind, count in plan.injected.items():
            by_kind[kind] = by_kind.get(kind, 0) + count
    figures["faults_by_kind"] = by_kind
    figures["faults_by_cloud"] = {cloud: plan.total for cloud, plan in world.faults.items()}
    return figures


def _permission_lost(world: World) -> dict[str, Any]:
    """A log-level integration's credentials lose write permission (the first whose cloud's
    stand-in enforces it: Azurite's SAS); its next run (an Admin's reprocessing of its newest
    hour) must deactivate it (a permanent error found by Verify), not be retried as if
    transient."""
    from exporthub.outbox.models import OutgoingEmail
    from exporthub.tenancy.auditlog import Actor
    from feeds.models import ExportRun
    from feeds.runs.on_demand.reprocessing import request_reprocessing
    from integrations.catalog import FeedKind
    from integrations.models import Integration, State

    integration, revoked = next(
        (integration, revoked)
        for integration in Integration.objects.filter(pk__in=world.integrations).order_by("pk")
        if integration.feed_info.kind == FeedKind.LOG_LEVEL
        and (revoked := world.clouds[integration.destination].write_revoked()) is not None
    )
    integration.set_secrets(revoked, dict.fromkeys(revoked, "…"))
    integration.save()
    newest = (
        ExportRun.objects.filter(integration=integration, status=ExportRun.Status.SUCCEEDED)
        .order_by("-window_start")
        .first()
    )
    assert newest is not None
    run = request_reprocessing(integration, newest.window_start, Actor.system())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        tick()
        integration.refresh_from_db()
        if integration.state == State.DEACTIVATED:
            break
        time.sleep(1)
    # The email is stored with the deactivation and sent by a worker: wait for it to leave.
    while time.monotonic() < deadline and OutgoingEmail.objects.exclude(status="sent").exists():
        time.sleep(0.5)
    run.refresh_from_db()
    return {
        "permission_loss_deactivated": integration.state == State.DEACTIVATED,
        "permission_loss_error": run.error_code,
    }


def outages(world: World, hours: int, cycles: int) -> dict[str, Any]:
    """While workers export: Redis stopped for a while and started again, then every database
    connection of the workers terminated, `cycles` times; /healthz is asked throughout."""
    from django.db import connection
    from django.test import Client

    with two_workers(world) as workers:
        began = time.monotonic()
        client = Client()
        counts = ("healthz_503_while_broker_down", "healthz_asked_while_broker_down",
                  "healthz_200_after_database_drop", "database_connections_dropped",
                  "ticks_refused_by_the_broker")  # fmt: skip
        figures: dict[str, Any] = dict.fromkeys(counts, 0)
        _wait_for_work_in_flight()
        for _ in range(cycles):
            world.redis.stop()
            for _ in range(3):
                figures["ticks_refused_by_the_broker"] += not tick()
                answer = client.get("/healthz")
                figures["healthz_asked_while_broker_down"] += 1
                if answer.status_code == 503 and not answer.json()["checks"]["broker"]["ok"]:
                    figures["healthz_503_while_broker_down"] += 1
                time.sleep(1)
            world.redis.start()
            tick()
            _wait_for_work_in_flight()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    figures["database_connections_dropped"] += cursor.rowcount
                figures["healthz_200_after_database_drop"] += (
                    client.get("/healthz").status_code == 200
                )
        finished = drain(world, workers, hours, timeout=600)
    figures.update(summary(world, hours, began, finished), outage_cycles=cycles)
    figures["database"] = connection.vendor
    return figures


def _wait_for_work_in_flight(timeout: float = 60) -> None:
    """Until a worker is exporting (so the outage hits work, not idle workers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if export_runs().filter(status="running").exists():
            return
        tick()
        time.sleep(0.2)
