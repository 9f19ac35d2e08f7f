"""`make run` and docker-compose.yml start workers that together consume every work class, and
keep the schedule and the exports apart from the work that waits on tenants' servers."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml
from django.conf import settings

from exporthub import queues

ROOT = Path(__file__).resolve().parent.parent
TENANT_BOUND = {queues.VERIFY, queues.NOTIFICATIONS}


def _queues_of(command: list[str]) -> set[str]:
    """The queues a `celery worker` command consumes (Celery's default one without -Q)."""
    if "-Q" not in command:
        return {"celery"}
    return set(command[command.index("-Q") + 1].split(","))


def _procfile_workers() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    processes = {
        name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines)
    }
    return {name: command for name, command in processes.items() if "worker" in command}


def _compose_workers() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {
        name: service["command"]
        for name, service in services.items()
        if "worker" in service.get("command", [])
    }


def _assert_bulkheads(workers: dict[str, list[str]]) -> None:
    consumed = {name: _queues_of(command) for name, command in workers.items()}
    assert set().union(*consumed.values()) == set(queues.QUEUES)
    for name, names in consumed.items():
        # A worker of the tick or the exports never also waits on a tenant's server.
        if names & {queues.SCHEDULE, queues.EXPORTS}:
            assert not names & TENANT_BOUND, name
    schedule = [name for name, names in consumed.items() if queues.SCHEDULE in names]
    assert len(schedule) == 1 and consumed[schedule[0]] == {queues.SCHEDULE}


def _processes(command: list[str]) -> int:
    flag = next(part for part in command if part.startswith("--concurrency="))
    return int(flag.split("=")[1])


def _assert_one_tenant_leaves_room(workers: dict[str, list[str]]) -> None:
    """A tenant at its caps in every class a worker serves still leaves others a process."""
    caps = {
        queues.VERIFY: settings.VERIFY_CONCURRENCY_PER_TENANT,
        queues.NOTIFICATIONS: settings.NOTIFY_CONCURRENCY_PER_TENANT,
    }
    for name, command in workers.items():
        if served := _queues_of(command) & TENANT_BOUND:
            assert _processes(command) > sum(caps[queue] for queue in served), name
        if queues.EXPORTS in _queues_of(command):  # a tenant whose destinations hang
            assert _processes(command) > settings.EXPORT_WORKERS_PER_TENANT, name


def test_make_run_gives_the_schedule_and_the_exports_their_own_workers() -> None:
    workers = _procfile_workers()
    _assert_bulkheads(workers)
    _assert_one_tenant_leaves_room(workers)
    names = [command[command.index("-n") + 1] for command in workers.values() if "-n" in command]
    assert len(set(names)) == len(workers)  # several workers on one machine: distinct names


def test_docker_compose_runs_a_worker_per_work_class() -> None:
    workers = _compose_workers()
    _assert_bulkheads(workers)
    _assert_one_tenant_leaves_room(workers)
    assert sorted(_queues_of(command).pop() for command in workers.values()) == sorted(
        queues.QUEUES
    )
