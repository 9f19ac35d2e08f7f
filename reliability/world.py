"""A whole ExportHub for the long runs: a scratch database, a private Redis, the S3 and Azure
stand-ins behind fault proxies, tenants with integrations on both clouds, and generated events.

The harness process configures Django for that world before importing it; worker processes
get the same environment, so they see the same database, broker and (proxied) clouds."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tests.support import standins
from tests.support.services import free_port, wait_for_port

from .faultproxy import FaultPlan, fault_proxy

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DB = "exporthub_reliability"
S3_SECRET_CANARY = "reliability-secret-key-CANARY-0000000000"  # noqa: S105 - a canary
LEASE_SECONDS = 20  # a killed worker's run is taken over after this
# A lease must outlast any single storage request with its SDK's retries, as in production:
# the fencing stops a worker between requests, so a final manifest still being retried when
# another worker takes the run over would publish the hour twice. Under injected faults one
# Azure request can take ~60 s (backoffs of 3, 9 and 27 s, each ± 3 s, and four timeouts).
# Without injected faults no request comes near 20 s: kills and outages keep the short lease.
FAULTS_LEASE_SECONDS = 90
READ_TIMEOUT_SECONDS = 2.0  # an injected silence becomes a client timeout this fast
# parallel_hour: hours of 60 000 rows go into slices of a few parts each.
SLICED = {"EXPORT_SLICE_ROWS": "20000", "EXPORT_PART_BYTES": "100000"}


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
    s3_url: str  # the stand-in itself, for reading back
    azure_url: str  # ditto, with {account}
    gcs_url: str  # ditto
    gcs_token_uri: str
    faults: dict[str, FaultPlan]
    stack: ExitStack
    canaries: list[str] = field(default_factory=list)
    # Secrets are stored under this key; every process also knows a newer one, first in
    # FIELD_ENCRYPTION_KEYS, so the chaos run can rotate keys while workers export.
    old_key: str = ""
    integrations: list[int] = field(default_factory=list)

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
    from moto.server import ThreadedMotoServer

    workdir = Path(tempfile.mkdtemp(prefix="exporthub-reliability-"))
    stack = ExitStack()
    redis = Redis(workdir)
    redis.start()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    stack.callback(moto.stop)
    host, port = moto.get_host_and_port()
    s3_url = f"http://{host}:{port}"
    azurite = stack.enter_context(standins.azurite(workdir))
    certificate = (azurite.ca_bundle, workdir / "azurite-key.pem")
    gcs = stack.enter_context(standins.gcs_emulator(workdir))
    # No faults until a scenario sets a rate; a silence outlasts the clients' read timeout.
    faults = {
        cloud: FaultPlan(seed=seed + i, silence_seconds=READ_TIMEOUT_SECONDS + 1)
        for i, cloud in enumerate(("s3", "azure", "gcs"))
    }
    s3_proxy = stack.enter_context(fault_proxy(s3_url, faults["s3"], "s3"))
    azure_direct = azurite.endpoint.removesuffix("/{account}")
    azure_proxy = stack.enter_context(
        fault_proxy(azure_direct, faults["azure"], "azure", certificate)
    )
    gcs_proxy = stack.enter_context(fault_proxy(gcs.direct, faults["gcs"], "gcs"))
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
        "AWS_ENDPOINT_URL_S3": s3_proxy,
        "AWS_ENDPOINT_URL_STS": s3_proxy,
        "AWS_ACCESS_KEY_ID": "reliability",
        "AWS_SECRET_ACCESS_KEY": "reliability",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AZURE_BLOB_ENDPOINT": azure_proxy + "/{account}",
        "REQUESTS_CA_BUNDLE": str(azurite.ca_bundle),
        "STORAGE_EMULATOR_HOST": gcs_proxy,
        "GCS_TOKEN_URI": gcs.token_uri,
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
        "DESTINATION_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT_SECONDS),
        "AZURE_RETRY_BACKOFF_SECONDS": "0.2",
        "VAR_DIR": str(workdir / "var"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    canaries = [S3_SECRET_CANARY, env["SECRET_KEY"], *env["FIELD_ENCRYPTION_KEYS"].split(",")]
    return World(workdir, env, redis, s3_url, azurite.endpoint, gcs.direct, gcs.token_uri,
                 faults, stack, canaries, old_key)  # fmt: skip


def configure_django(world: World) -> None:
    """Point this process at the world, migrate, and make Django ready."""
    os.environ.update(world.env)
    import logging

    import django

    django.setup()
    for noisy in ("azure", "werkzeug", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


# Raw windows are read back through their completion manifests (readback.py).
RAW = {"completion_manifests": "on"}


def populate(world: World, hours: int, rows_per_hour: int, now: datetime) -> datetime:
    """Two tenants, four integrations (S3 and Azure, raw and log-level), events for `hours`
    closed hours; returns the first hour exported."""
    from exporthub.tenancy.models import Tenant
    from feeds.runs.windows import floor

    end = floor(now - timedelta(minutes=15), timedelta(hours=1))
    start = end - timedelta(hours=hours)
    acme = Tenant.objects.create(name="Acme", slug="acme", seat_id=998)
    globex = Tenant.objects.create(name="Globex", slug="globex", seat_id=1234)
    initech = Tenant.objects.create(name="Initech", slug="initech", seat_id=4321)
    plans: list[tuple[Tenant, str, str, dict[str, Any]]] = [
        (acme, "s3", "clicks", RAW | {"directory": "/raw/clicks"}),
        (acme, "s3", "standard_feed", {"format": "avro", "compression": "DEFLATE"}),
        (globex, "azure", "conversions", RAW | {"directory": "/raw/conversions"}),
        (globex, "azure", "standard_feed",
         {"format": "protobuf-delimited", "compression": "GZIP"}),
        (initech, "gcs", "clicks", RAW | {"directory": "/raw/clicks"}),
    ]  # fmt: skip
    from django.test import override_settings

    for owner, destination, feed, fields in plans:
        with override_settings(FIELD_ENCRYPTION_KEYS=[world.old_key]):
            world.integrations.append(
                add_integration(world, owner, destination, feed, fields, start)
            )
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
    from integrations.forms import form_class
    from integrations.lifecycle.services import save_integration
    from integrations.models import Integration, State

    container = "-".join(filter(None, [owner.slug, feed.replace("_", "-"), suffix]))
    data: dict[str, Any] = {
        "name": f"{destination} {feed}",
        "notification_emails": "ops@example.com",
    }
    if destination == "s3":
        import boto3

        boto3.client("s3", endpoint_url=world.s3_url, region_name="us-east-1").create_bucket(
            Bucket=container
        )
        data |= {"bucket": container, "region": "us-east-1", "auth_mode": "access_key",
                 "access_key": "AKIARELIABILITY00000", "sse": "none",
                 "secret_key": S3_SECRET_CANARY}  # fmt: skip
    elif destination == "gcs":
        from tests.support.credentials import service_account_key

        request = urllib.request.Request(  # noqa: S310 - the local emulator
            f"{world.gcs_url}/storage/v1/b?project=reliability", method="POST",
            data=json.dumps({"name": container}).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - the local emulator
        key = service_account_key(token_uri=world.gcs_token_uri)
        data |= {"bucket": container, "auth_mode": "key", "service_account_key": key}
    else:
        from tests.support.credentials import sas_token

        azure_service(world).create_container(container)
        permission = "rwdlac" if feed == "standard_feed" else "rwd"
        token = sas_token(permission=permission, account=standins.AZURITE_ACCOUNT,
                          account_key=standins.AZURITE_KEY)  # fmt: skip
        world.canaries.append(token.split("sig=")[1].split("&")[0])
        data |= {"storage_account": standins.AZURITE_ACCOUNT, "container": container,
                 "sas_token": token}  # fmt: skip
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


def azure_service(world: World) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient(
        world.azure_url.format(account=standins.AZURITE_ACCOUNT),
        credential={"account_name": standins.AZURITE_ACCOUNT, "account_key": standins.AZURITE_KEY},
    )


def _generate(slug: str, feed: str, count: int, start: datetime, end: datetime) -> None:
    from django.core.management import call_command

    options = {"start": start.isoformat(), "end": end.isoformat(), "seed": 7}
    call_command("generate_events", tenant=slug, feed=feed, count=count, stdout=io.StringIO(),
                 **options)  # fmt: skip
