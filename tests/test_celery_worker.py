"""A real Celery worker process runs a task, through Redis and through the embedded broker, and
takes only the work classes it was started for."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.conf import settings

from exporthub import queues
from tests.support.services import redis_server

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def worker(conf: dict[str, Any], env: dict[str, str], queue: str, log: Path) -> Iterator[Celery]:
    """Start `celery worker` in its own process; yield a client app on the same broker."""
    process_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "exporthub.test_settings", **env}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "exporthub", "worker", "--pool=solo",
             "-Q", queue, "--without-mingle", "--without-gossip", "--loglevel=INFO"],
            cwd=ROOT, env=process_env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        client = Celery("test-client", set_as_current=False)
        client.conf.update(conf)
        try:
            yield client
        finally:
            # Killed: how a worker shuts down is not what these tests prove, and a warm shutdown
            # on the embedded broker waits ~4.5 s for its polling loop.
            process.kill()
            process.wait(timeout=20)
            client.close()


def _assert_worker_answers(client: Celery, queue: str, log: Path) -> None:
    token = uuid.uuid4().hex
    result = client.send_task("exporthub.ping", args=[token], queue=queue)
    try:
        assert result.get(timeout=60) == f"pong:{token}"
    except Exception:
        print(log.read_text())
        raise


def test_it_runs_a_task_on_a_worker_through_redis(tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex}"
    with redis_server(tmp_path) as url:
        conf = {"broker_url": url, "result_backend": url}
        env = {"CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url}
        with worker(conf, env, queue, tmp_path / "worker.log") as client:
            _assert_worker_answers(client, queue, tmp_path / "worker.log")


def _embedded_broker(tmp_path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The filesystem broker `make run` uses: a client's configuration and a worker's env."""
    broker_dir = tmp_path / "broker"
    for folder in ("queue", "processed", "results", "control"):
        (broker_dir / folder).mkdir(parents=True)
    conf: dict[str, Any] = {
        "broker_url": "filesystem://",
        "result_backend": f"file://{broker_dir / 'results'}",
        "broker_transport_options": {
            "control_folder": str(broker_dir / "control"),
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "processed_folder": str(broker_dir / "processed"),
        },
    }
    env = {"CELERY_BROKER_URL": "filesystem://", "BROKER_DIR": str(broker_dir)}
    env["CELERY_RESULT_BACKEND"] = conf["result_backend"]
    return conf, env


def test_it_runs_a_task_on_a_worker_through_the_embedded_broker(tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex}"
    conf, env = _embedded_broker(tmp_path)
    with worker(conf, env, queue, tmp_path / "worker.log") as client:
        _assert_worker_answers(client, queue, tmp_path / "worker.log")


def test_a_worker_of_the_schedule_never_takes_a_notification_nor_the_reverse(
    tmp_path: Path,
) -> None:
    """Tasks go where the project routes them; a stuck delivery cannot hold the tick's worker."""
    conf, env = _embedded_broker(tmp_path)
    conf["task_routes"] = settings.CELERY_TASK_ROUTES
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    token = uuid.uuid4().hex
    schedule_log, tenants_log = tmp_path / "schedule.log", tmp_path / "tenants.log"
    # The sweep's worker needs the tables; the schedule's worker starts meanwhile (a ping only).
    with (
        subprocess.Popen([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                         cwd=ROOT, env={**os.environ, **env}) as migrate,
        worker(conf, env, f"{queues.SCHEDULE},{queues.EXPORTS}", schedule_log) as client,
    ):  # fmt: skip
        sweep = client.send_task("webhooks.send_due")  # first, into the notifications queue
        assert client.send_task("exporthub.ping", args=[token]).get(timeout=60) == f"pong:{token}"
        assert sweep.state == "PENDING"
        assert migrate.wait(timeout=120) == 0
        with worker(conf, env, f"{queues.VERIFY},{queues.NOTIFICATIONS}", tenants_log) as other:
            assert sweep.get(timeout=60) == 0
            assert other.send_task("exporthub.ping", args=[token]).get(timeout=60)
    # A worker logs "Task <name>[<id>] received" for each message it takes.
    assert "Task webhooks.send_due[" not in schedule_log.read_text()
    assert "Task webhooks.send_due[" in tenants_log.read_text()
    assert "Task exporthub.ping[" not in tenants_log.read_text()


@pytest.mark.parametrize(
    "setting", ["task_acks_late", "task_reject_on_worker_lost", "worker_prefetch_multiplier"]
)
def test_it_configures_celery_for_at_least_once_delivery(setting: str) -> None:
    from exporthub.celery import app

    assert app.conf[setting] in (True, 1)
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
