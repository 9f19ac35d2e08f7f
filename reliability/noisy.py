"""`noisy_neighbour`: one tenant's webhook and storage endpoint are tarpits (they drip their
answers a byte at a time) and a server answering a huge body, its Verify waits on the tarpit,
while four other tenants export to the stand-in and receive webhooks at a healthy receiver. The
cloud is the first registered one whose integrations may name their own host (S3's
S3-compatible Endpoint URL: `LongRunCloud.tenant_endpoint`). The workers are make run's, one per
work class. Measured twice, without the bad tenant and with it: the others' freshness, their
webhooks, how late the tick is, the workers' memory, and what was recorded of the bad tenant's
attempts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.hostile import hostile_server
from tests.support.webhook_receiver import Receiver, webhook_receiver

from .workers import Worker
from .world import World, add_integration, configure_django

GOOD_TENANTS = 4
TICK_SECONDS = 3.0
# The bad tenant's bounds, short so that the run shows them being reached.
BOUNDS = {
    "WEBHOOK_TIMEOUT_SECONDS": "3",
    "VERIFY_DEADLINE_SECONDS": "3",  # below the connection limit: the deadline ends it
    "TENANT_CONNECTION_SECONDS": "4",
    "WEBHOOK_ALLOWED_HOSTS": "localhost",
    "ENDPOINT_URL_ALLOWED_HOSTS": "127.0.0.1,localhost",
}
BAD_MESSAGES = 12  # test events the bad tenant queues at its two hostile receivers


@contextmanager
def _servers(world: World) -> Iterator[dict[str, Any]]:
    """The healthy receiver, the tarpit and the huge-body server, over TLS with the world's own
    certificate (the one the workers already trust)."""
    certificate = world.certificate
    with ExitStack() as stack:
        receiver = stack.enter_context(webhook_receiver(world.workdir, certificate))
        tarpit = stack.enter_context(
            hostile_server("drip", certificate=certificate, interval=0.5, drip_for=3600)
        )
        huge = stack.enter_context(hostile_server("huge", certificate=certificate))
        yield {"receiver": receiver, "tarpit": tarpit, "huge": huge}


def _environment(world: World) -> None:
    import os

    world.env.update(BOUNDS)
    os.environ.update(world.env)


def _cloud(world: World) -> str:
    """The kind of the first cloud whose integrations may name their own host."""
    return next(k for k, cloud in world.clouds.items() if cloud.tenant_endpoint("x") is not None)


def _workers(world: World) -> list[Worker]:
    """The Procfile's: the schedule alone, the exports, Verify with notifications."""
    return [
        Worker(world, "schedule", queues="schedule", concurrency=1),
        Worker(world, "exports", queues="exports", concurrency=2),
        Worker(world, "tenants", queues="verify,notifications", concurrency=2),
    ]


def run(world: World, hours: int, rows: int) -> dict[str, Any]:
    """The scenario in a built world; configures Django itself (the bounds are settings)."""
    with _servers(world) as servers:
        _environment(world)
        configure_django(world)
        from django.utils import timezone

        from exporthub.tenancy.models import Tenant
        from feeds.runs.windows import floor

        end = floor(timezone.now() - timedelta(minutes=15), timedelta(hours=1))
        start = end - timedelta(hours=hours)
        tenants = [
            Tenant.objects.create(name=f"Good {n}", slug=f"good-{n}", seat_id=2000 + n)
            for n in range(GOOD_TENANTS)
        ]
        bad = Tenant.objects.create(name="Noisy", slug="noisy", seat_id=6666)
        for tenant in [*tenants, bad]:
            _generate(tenant.slug, rows * hours, start, end)
        receiver: Receiver = servers["receiver"]
        workers = _workers(world)
        for worker in workers:
            worker.start()
        sampler = _RssSampler(workers)
        try:
            quiet = _phase(world, tenants, receiver, start, "quiet", sampler)
            _make_noise(world, bad, servers, start)
            noisy = _phase(world, tenants, receiver, start, "noisy", sampler)
            bad_figures = _bad_tenant(bad)
        finally:
            for worker in workers:
                worker.stop()
    return {
        "good_tenants": GOOD_TENANTS,
        **{f"quiet_{key}": value for key, value in quiet.items()},
        **{f"noisy_{key}": value for key, value in noisy.items()},
        "freshness_max_added_s": round(noisy["freshness_max_s"] - quiet["freshness_max_s"], 1),
        "worker_rss_max_mb": sampler.max_mb(),
        "tarpit_connections": servers["tarpit"].accepted,
        "huge_bytes_sent_mb": round(servers["huge"].sent / 2**20, 1),
        **bad_figures,
    }


def _generate(slug: str, count: int, start: datetime, end: datetime) -> None:
    import io

    from django.core.management import call_command

    call_command("generate_events", tenant=slug, feed="clicks", count=count, seed=7,
                 start=start.isoformat(), end=end.isoformat(), stdout=io.StringIO())  # fmt: skip


def _good_integrations(
    world: World, tenants: list[Any], receiver: Receiver, start: datetime, phase: str
) -> list[int]:
    """One clicks integration per good tenant, with a webhook to the healthy receiver."""
    from exporthub.tenancy.auditlog import Actor
    from integrations.models import Integration
    from webhooks.services import add_endpoint

    made = []
    for tenant in tenants:
        fields = {"directory": f"/{phase}/clicks", "name": f"{phase} clicks"}
        pk = add_integration(world, tenant, _cloud(world), "clicks", fields, start, suffix=phase)
        integration = Integration.objects.get(pk=pk)
        url = receiver.url.replace("/hooks/exporthub", f"/hooks/{pk}")
        add_endpoint(integration, "webhook", url, ["window.delivered"], Actor.system())
        made.append(pk)
    return made


def _phase(
    world: World,
    tenants: list[Any],
    receiver: Receiver,
    start: datetime,
    phase: str,
    sampler: _RssSampler,
) -> dict[str, Any]:
    """Activate the good tenants' integrations of this phase and tick until each window is
    delivered: how long that took, how late the tick was, and their webhooks."""
    from feeds.models import ExportRun

    integrations = _good_integrations(world, tenants, receiver, start, phase)
    runs = ExportRun.objects.filter(integration_id__in=integrations)
    began, ticks, late = time.time(), 0, []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        late.append(_tick_through_the_schedule_worker())
        _sweep()
        ticks += 1
        sampler.sample()
        if runs.exists() and not runs.exclude(status="succeeded").exists():
            break
        time.sleep(TICK_SECONDS)
    finished = runs.filter(status="succeeded")
    freshness = sorted(
        run.finished_at.timestamp() - began for run in finished if run.finished_at is not None
    )
    delivered_webhooks = _wait_for_webhooks(receiver, integrations, finished.count())
    return {
        "windows": runs.count(),
        "windows_delivered": finished.count(),
        "freshness_p50_s": round(statistics.median(freshness), 1) if freshness else None,
        "freshness_max_s": round(freshness[-1], 1) if freshness else 1e9,
        "tick_late_max_s": round(max(late), 1),
        "ticks": ticks,
        "webhooks_delivered": delivered_webhooks,
    }


def _tick_through_the_schedule_worker() -> float:
    """Send the beat's tick to the schedule queue; seconds until it has run (its lateness)."""
    from feeds.tasks import schedule_exports

    sent = time.monotonic()
    try:
        schedule_exports.delay("all").get(timeout=120)
    except Exception:  # late past two minutes, or lost: counted as that late
        return 120.0
    return time.monotonic() - sent


def _sweep() -> None:
    """The beat's webhook sweep (every minute in production): messages a tenant's cap made
    wait, and retries."""
    from webhooks.tasks import send_due_messages

    send_due_messages.delay()


def _wait_for_webhooks(receiver: Receiver, integrations: list[int], windows: int) -> int:
    paths = {f"/hooks/{pk}" for pk in integrations}
    deadline = time.monotonic() + 180
    while True:
        delivered = sum(1 for request in list(receiver.requests) if request["path"] in paths)
        if delivered >= windows or time.monotonic() > deadline:
            return delivered
        _sweep()
        time.sleep(TICK_SECONDS)


def _make_noise(world: World, bad: Any, servers: dict[str, Any], start: datetime) -> None:
    """The bad tenant: an export to the tarpit endpoint, webhooks at the tarpit and the huge
    server with a dozen test events queued, and Verifies that wait on the tarpit."""
    from django.db import transaction

    from exporthub.tenancy.auditlog import Actor
    from integrations.models import Integration
    from integrations.verify.runs import start_verification
    from webhooks.models import Endpoint
    from webhooks.services import add_endpoint, send_test

    kind = _cloud(world)
    endpoint = world.clouds[kind].tenant_endpoint(f"https://localhost:{servers['tarpit'].port}")
    pk = add_integration(world, bad, kind, "clicks", {"directory": "/noisy", **(endpoint or {})},
                         start)  # fmt: skip
    integration = Integration.objects.get(pk=pk)
    hooks: list[Endpoint] = [
        add_endpoint(integration, "webhook", servers["tarpit"].url(), None, Actor.system())[0],
        add_endpoint(integration, "webhook", servers["huge"].url(), None, Actor.system())[0],
    ]
    for n in range(BAD_MESSAGES):
        with transaction.atomic():
            send_test(hooks[n % 2])
    start_verification(integration, Actor.system())


def _bad_tenant(bad: Any) -> dict[str, Any]:
    """What was recorded of the bad tenant's attempts once the good tenants were done."""
    from feeds.models import ExportRun
    from integrations.models import Verification
    from webhooks.models import Attempt

    runs = ExportRun.objects.filter(integration__tenant=bad)
    attempts = Attempt.objects.filter(message__endpoint__integration__tenant=bad)
    verification = Verification.objects.filter(integration__tenant=bad).order_by("-pk").first()
    failed_step: dict[str, Any] = next(
        (step for step in (verification.steps if verification else []) if step["ok"] is False),
        {},
    )
    return {
        "bad_runs_failed_and_recorded": runs.filter(status="failed").exclude(error_code="").count(),
        "bad_runs_succeeded": runs.filter(status="succeeded").count(),
        "bad_webhook_attempts": attempts.count(),
        "bad_webhook_timeouts": attempts.filter(error__startswith="Timeout").count(),
        "bad_verify_state": verification.state if verification else None,
        "bad_verify_failed_code": failed_step.get("code"),
    }


class _RssSampler:
    """The largest resident set of any worker process (a prefork worker's children too)."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers, self.peak_kb = workers, 0

    def sample(self) -> None:
        for worker in self.workers:
            if worker.process is None:
                continue
            for pid in [worker.process.pid, *_children(worker.process.pid)]:
                self.peak_kb = max(self.peak_kb, _rss_kb(pid))

    def max_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
