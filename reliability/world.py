"""A whole ExportHub for the long runs: a scratch database, a private Redis, every registered
cloud's stand-in behind a fault proxy (reliability/clouds.py), a tenant with integrations on each
cloud, and generated events.

The harness process configures Django for that world before importing it; worker processes
get the same environment, so they see the same database, broker and (proxied) clouds."""

from __future__ import annotations

import io
import os
import secrets
import shutil
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tests.support import standins
from tests.support.services import free_port, wait_for_port

from .clouds import LongRunCloud, load, registered_kinds
from .faultproxy import FaultPlan, fault_proxy

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DB = "exporthub_reliability"
LEASE_SECONDS = 20  # a killed worker's run is taken over after this
# A lease must outlast any single storage request with its SDK's retries, as in production:
# the fencing stops a worker between requests, so a final manifest still being retried when
# another worker takes the run over would publish the hour twice. Under injected faults one
# Azure request can take ~60 s (backoffs of 3, 9 and 27 s, each ± 3 s, and four timeouts).
# Without injected faults no request comes near 20 s: kills and outages keep the short lease.
FAULTS_LEASE_SECONDS = 90
READ_TIMEOUT_SECONDS = 2.0  # an injected silence becomes a client timeout this fast
# parallel_hour: hours of 60 000 rows go into slices of a few parts each, and one tenant's hour
# may be on both workers at once (its tenant's places: docs/operations.md).
SLICED = {
    "EXPORT_SLICE_ROWS": "20000",
    "EXPORT_PART_BYTES": "100000",
    "EXPORT_WORKERS_PER_TENANT": "2",
}


class Redis:
    """A private redis-server on a fixed port, so it can be stopped and started again."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.monitor: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # Every command the broker receives, message bodies and task results included.
        self.transcript = workdir / "redis-monitor.log"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("The reliability runs need redis-server installed.")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        with self.transcript.open("ab") as out:
            self.monitor = subprocess.Popen(
                [shutil.which("redis-cli") or "redis-cli", "-p", str(self.port), "monitor"],
                stdout=out, stderr=subprocess.DEVNULL,
            )  # fmt: skip

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.terminate()
            self.monitor.wait(timeout=10)
            self.monitor = None
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@dataclass
class World:
    workdir: Path
    env: dict[str, str]
    redis: Redis
    clouds: dict[str, LongRunCloud]  # by kind, in the registry's order
    faults: dict[str, FaultPlan]  # by kind
    stack: ExitStack
    # The world's own secrets; each cloud adds those of its integrations (all_canaries).
    canaries: list[str] = field(default_factory=list)
    # Secrets are stored under this key; every process also knows a newer one, first in
    # FIELD_ENCRYPTION_KEYS, so the chaos run can rotate keys while workers export.
    old_key: str = ""
    integrations: list[int] = field(default_factory=list)
    # The loopback TLS certificate and key: the stand-ins served over HTTPS and the noisy
    # neighbour's servers present it, and every process trusts it.
    certificate: tuple[Path, Path] = (Path(), Path())

    def all_canaries(self) -> list[str]:
        return [*self.canaries, *(c for cloud in self.clouds.values() for c in cloud.canaries)]

    def close(self) -> None:
        self.stack.close()
        self.redis.stop()
        if not os.environ.get("RELIABILITY_KEEP"):  # set it to read the logs afterwards
            shutil.rmtree(self.workdir, ignore_errors=True)


def _database_url(workdir: Path, scenario: str) -> str:
    """PostgreSQL beside DATABASE_URL when that is PostgreSQL (as in CI), else SQLite."""
    base = os.environ.get("RELIABILITY_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'exporthub.sqlite3'}"
    import psycopg

    parsed, name = urlparse(base), f"{SCRATCH_DB}_{scenario}"  # scenarios may run side by side
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def build(scenario: str, seed: int = 1) -> World:
    """Start every service and write the environment; Django is not configured yet."""
    from cryptography.fernet import Fernet

    workdir = Path(tempfile.mkdtemp(prefix="exporthub-reliability-"))
    stack = ExitStack()
    redis = Redis(workdir)
    redis.start()
    certificate = standins.self_signed_certificate(workdir, "loopback")
    old_key = Fernet.generate_key().decode()
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(workdir, scenario),
        "DJANGO_SETTINGS_MODULE": "exporthub.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{old_key}",
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": redis.url,
        "REQUESTS_CA_BUNDLE": str(certificate[0]),
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops one leading slash
        "ENDPOINT_URL_ALLOWED_HOSTS": "127.0.0.1",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "EXPORT_LEASE_SECONDS": str(
            FAULTS_LEASE_SECONDS if scenario == "faults" else LEASE_SECONDS
        ),
        "EXPORT_RETRY_BASE_SECONDS": "1",
        # parallel_hour: every log-level hour in slices of a few parts each (issue 19).
        **(SLICED if scenario == "parallel_hour" else {}),
        # backfill: one integration's hours on both workers at once, the race it is there for.
        **({"EXPORT_WORKERS_PER_TENANT": "2"} if scenario == "backfill" else {}),
        "DESTINATION_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT_SECONDS),
        "VAR_DIR": str(workdir / "var"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    clouds = load(registered_kinds(env), workdir, certificate)
    # No faults until a scenario sets a rate; a silence outlasts the clients' read timeout.
    faults = {
        kind: FaultPlan(seed=seed + i, silence_seconds=READ_TIMEOUT_SECONDS + 1)
        for i, kind in enumerate(clouds)
    }
    for kind, cloud in clouds.items():
        upstream = cloud.start(stack)
        proxied = stack.enter_context(
            fault_proxy(upstream, faults[kind], cloud.fault_answer, certificate)
        )
        env.update(cloud.environment(proxied))
    canaries = [env["SECRET_KEY"], *env["FIELD_ENCRYPTION_KEYS"].split(",")]
    return World(workdir, env, redis, clouds, faults, stack, canaries, old_key,
                 certificate=certificate)  # fmt: skip


def configure_django(world: World) -> None:
    """Point this process at the world, migrate, and make Django ready."""
    os.environ.update(world.env)
    import logging

    import django

    django.setup()
    from integrations.destinations import REGISTRY

    sdks = [sdk for cls in REGISTRY.values() for sdk in cls.sdk_modules]
    for noisy in (*sdks, "werkzeug", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


# Raw windows are read back through their completion manifests (readback.py).
RAW = {"completion_manifests": "on"}


def populate(world: World, hours: int, rows_per_hour: int, now: datetime) -> datetime:
    """A tenant per cloud and its integrations (raw and log-level, as the cloud's `exports`
    say), events for `hours` closed hours; returns the first hour exported."""
    from django.test import override_settings

    from exporthub.tenancy.models import Tenant
    from feeds.runs.windows import floor
    from integrations.catalog import FEEDS, FeedKind

    end = floor(now - timedelta(minutes=15), timedelta(hours=1))
    start = end - timedelta(hours=hours)
    for kind, cloud in world.clouds.items():
        name, slug, seat_id = cloud.tenant
        owner = Tenant.objects.create(name=name, slug=slug, seat_id=seat_id)
        for feed, fields in cloud.exports:
            if FEEDS[feed].kind == FeedKind.RAW:
                fields = RAW | fields
            with override_settings(FIELD_ENCRYPTION_KEYS=[world.old_key]):
                world.integrations.append(add_integration(world, owner, kind, feed, fields, start))
            _generate(owner.slug, feed, rows_per_hour * hours, start, end)
    return start


def add_integration(
    world: World,
    owner: Any,
    destination: str,
    feed: str,
    fields: dict[str, Any],
    start: datetime,
    suffix: str = "",
) -> int:
    """An active integration of `owner`'s, exporting from `start`, in a new bucket or container
    (named for the tenant, the feed and `suffix`)."""
    from exporthub.tenancy.auditlog import Actor
    from integrations.forms.registry import form_class
    from integrations.lifecycle.services import save_integration
    from integrations.models import Integration, State

    container = "-".join(filter(None, [owner.slug, feed.replace("_", "-"), suffix]))
    data: dict[str, Any] = {
        "name": f"{destination} {feed}",
        "notification_emails": "ops@example.com",
        **world.clouds[destination].new_container(container, feed),
    }
    if feed == "standard_feed":
        data["manifest_path"] = "/manifests"
        data["feed_path"] = "/feeds/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%"
    data |= fields
    form = form_class(destination)(data, tenant=owner, feed=feed)
    if not form.is_valid():
        raise RuntimeError(f"integration {data['name']}: {form.errors.as_json()}")
    created = save_integration(form, Actor.system())
    Integration.objects.filter(pk=created.pk).update(state=State.ACTIVE, exports_from=start)
    return int(created.pk)


def _generate(slug: str, feed: str, count: int, start: datetime, end: datetime) -> None:
    from django.core.management import call_command

    options = {"start": start.isoformat(), "end": end.isoformat(), "seed": 7}
    call_command("generate_events", tenant=slug, feed=feed, count=count, stdout=io.StringIO(),
                 **options)  # fmt: skip
