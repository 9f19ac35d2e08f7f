"""Driving a scenario: its two workers, the beat's ticks until the work is done, and the
figures every scenario reports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from . import readback
from .workers import Worker
from .world import World

TICK_SECONDS = 3.0  # the scheduler's sweep; production's beat ticks every few minutes
CHECK_SECONDS = 0.25  # between ticks, how often a scenario looks whether it is done


@contextmanager
def two_workers(world: World) -> Iterator[list[Worker]]:
    """Two real Celery workers for the scenario, stopped however it ends."""
    workers = [Worker(world, f"w{i}") for i in range(2)]
    for worker in workers:
        worker.start()
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def export_runs() -> Any:
    from feeds.models import ExportRun

    return ExportRun.objects.filter(generation=0)


def tick(kind: str = "all") -> bool:
    """One beat tick, as the beat process would run it; False while the broker is away."""
    from feeds.tasks import schedule_exports

    try:
        schedule_exports(kind)
    except Exception:  # the broker is down: beat logs it and ticks again later
        return False
    return True


def _expected_runs(world: World, hours: int) -> int:
    """Windows in the generated hours, over the world's integrations."""
    from feeds.runs.windows import window_length
    from integrations.models import Integration

    feeds = Integration.objects.filter(pk__in=world.integrations).values_list("feed", flat=True)
    return sum(timedelta(hours=hours) // window_length(feed) for feed in feeds)


def tick_until(done: Callable[[], bool], deadline: float, kind: str = "all") -> bool:
    """Tick every TICK_SECONDS until `done()` (looked at every CHECK_SECONDS, so a scenario
    ends as soon as its work does); False if `deadline` passes first."""
    while time.monotonic() < deadline:
        tick(kind)
        next_tick = time.monotonic() + TICK_SECONDS
        while time.monotonic() < min(next_tick, deadline):
            if done():
                return True
            time.sleep(CHECK_SECONDS)
    return False


def drain(world: World, workers: list[Worker], hours: int, timeout: float) -> bool:
    """Tick until every window has one succeeded run; False if `timeout` passes first."""
    expected = _expected_runs(world, hours)

    def drained() -> bool:
        # Windows after the generated hours exist too (empty ones, exported all the same).
        done = export_runs().filter(status="succeeded").count()
        if done >= expected and export_runs().count() == done:
            return True
        for worker in workers:  # a worker that died by itself is restarted, as systemd would
            if worker.process is not None and worker.process.poll() is not None:
                worker.start()
        return False

    return tick_until(drained, time.monotonic() + timeout)


def drained_runs() -> int:
    """The newest run when the drain ended: the windows a scenario answers for."""
    return export_runs().order_by("-pk").values_list("pk", flat=True).first() or 0


def summary(
    world: World, hours: int, began: float, finished: bool, up_to_run: int | None = None
) -> dict[str, Any]:
    from django.db.models import Sum

    from integrations.models import Integration, State

    runs = export_runs() if up_to_run is None else export_runs().filter(pk__lte=up_to_run)
    figures: dict[str, Any] = {
        "windows": runs.count(),
        "runs_succeeded": runs.filter(status="succeeded").count(),
        "run_attempts": runs.aggregate(n=Sum("attempts"))["n"] or 0,
        "drained": finished,
        "seconds": round(time.monotonic() - began, 1),
        "deactivated": Integration.objects.filter(
            pk__in=world.integrations, state=State.DEACTIVATED
        ).count(),
        "emails": sum(
            f.read_text(errors="replace").count("\nSubject: ")
            for f in (world.workdir / "mail").iterdir()
        ),
    }
    figures.update(readback.check(world))
    figures.update(readback.leaks(world))
    figures.update(readback.task_messages(world))
    return figures
