"""Every task has a work class: its own queue and wall-clock limit, so work that waits on a
tenant's server never shares a worker with the schedule or the exports (issue 32)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from exporthub import queues
from exporthub.celery import app

ROOT = Path(__file__).resolve().parent.parent
CLASSES = {
    "feeds.schedule": queues.SCHEDULE,
    "feeds.expire_events": queues.SCHEDULE,
    "feeds.maintain_partitions": queues.SCHEDULE,
    "integrations.expiry_reminders": queues.SCHEDULE,
    "exporthub.ping": queues.SCHEDULE,
    "feeds.dispatch": queues.EXPORTS,
    "feeds.export": queues.EXPORTS,
    "feeds.export_slice": queues.EXPORTS,
    "feeds.archive": queues.EXPORTS,
    "feeds.iceberg_maintenance": queues.EXPORTS,
    "integrations.verify": queues.VERIFY,
    "webhooks.deliver": queues.NOTIFICATIONS,
    "webhooks.send_due": queues.NOTIFICATIONS,
    "outbox.send": queues.NOTIFICATIONS,
    "outbox.send_due": queues.NOTIFICATIONS,
}


def _queue_of(celery: Celery, name: str) -> str:
    return str(celery.amqp.router.route({}, name)["queue"].name)


def _registered() -> list[str]:
    app.loader.import_default_modules()
    return sorted(app.tasks)


def test_it_routes_every_registered_task_to_one_of_the_four_queues() -> None:
    """A new task without a class would land on Celery's default queue, which no worker reads."""
    unrouted = {name: _queue_of(app, name) for name in _registered()}
    unrouted = {name: queue for name, queue in unrouted.items() if queue not in queues.QUEUES}
    assert unrouted == {}


@pytest.mark.parametrize(("name", "queue"), sorted(CLASSES.items()))
def test_it_puts_each_task_in_its_work_class(name: str, queue: str) -> None:
    assert name in _registered()
    assert _queue_of(app, name) == queue


def test_it_gives_every_task_the_wall_clock_limit_of_its_class() -> None:
    limits = queues.time_limits(settings.VERIFY_DEADLINE_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS)
    for name in _registered():
        soft, hard = limits[_queue_of(app, name)]
        task = app.tasks[name]  # a task without its own limits has the default ones
        effective = (
            task.soft_time_limit or app.conf.task_soft_time_limit,
            task.time_limit or app.conf.task_time_limit,
        )
        assert effective == (soft, hard), name
        assert soft < hard


def test_it_lets_a_verify_run_to_its_deadline_and_no_longer() -> None:
    soft, hard = queues.time_limits(300.0, 10.0)[queues.VERIFY]
    assert 300 < soft < hard <= 300 + 120
    assert queues.time_limits(1800.0, 10.0)[queues.VERIFY][0] > 1800


def test_it_stops_a_notification_well_before_the_schedule_would_notice() -> None:
    soft, hard = queues.time_limits(300.0, 10.0)[queues.NOTIFICATIONS]
    assert 10 < soft < hard <= 120
    assert queues.time_limits(300.0, 100.0)[queues.NOTIFICATIONS][0] > 100


def test_it_keeps_redis_from_redelivering_a_task_still_within_its_limit() -> None:
    """Redis hands an unacknowledged message to another worker after its visibility timeout."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.TASK_CLASS_LIMITS]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "exporthub.test_settings"}
    env |= {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "VERIFY_DEADLINE_SECONDS": "7200"}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    visibility, limits = json.loads(result.stdout.splitlines()[-1])
    assert limits[queues.VERIFY][1] == 7200 + 60
    assert visibility > max(hard for _, hard in limits.values())
