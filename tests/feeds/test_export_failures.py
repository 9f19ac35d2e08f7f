"""Failures on real stand-ins: revoked access deactivates once; transient faults only delay."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.core import mail
from django.db import OperationalError, connection

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs import ledger
from feeds.runs.export import execute
from feeds.runs.schedule import schedule
from integrations.destinations.gcs import connection as gcs_module
from integrations.models import Integration, State, Verification
from tests.integrations.destinations.azure.standin import Azurite
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.integrations.destinations.s3.standin import enforce_iam, moto_server
from tests.support.exports import active, events, run_exports

from .races import claimed_twice

HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _client(url: str, service: str, key: str = "AKIAADMIN00000000000", secret: str = "x") -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-west-2",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="module")
def iam_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with moto_server(tmp_path_factory.mktemp("moto-revoke")) as url:
        _client(url, "s3").create_bucket(
            Bucket="revoked", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
        iam, keys = _client(url, "iam"), {}
        for user in ("admin", "writer"):
            iam.create_user(UserName=user)
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
            iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName=user)["AccessKey"]
            keys[user] = (key["AccessKeyId"], key["SecretAccessKey"])
        enforce_iam(url)
        yield {"url": url, "keys": keys}


@pytest.mark.django_db
def test_a_revoked_iam_policy_deactivates_with_one_email(
    iam_s3: dict[str, Any],
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", iam_s3["url"])
    key, secret = iam_s3["keys"]["writer"]
    integration = active(
        tenant, "s3", "clicks", HOUR, bucket="revoked", access_key=key, secret_key=secret
    )
    run_exports("2026-11-22T10:16:00Z", django_capture_on_commit_callbacks)
    assert ExportRun.objects.get().status == "succeeded"
    _client(iam_s3["url"], "iam", *iam_s3["keys"]["admin"]).delete_user_policy(
        UserName="writer", PolicyName="all"
    )
    run_exports("2026-11-22T10:31:00Z", django_capture_on_commit_callbacks)
    run_exports("2026-11-22T10:46:00Z", django_capture_on_commit_callbacks)
    integration.refresh_from_db()
    assert integration.state == State.DEACTIVATED
    assert len(mail.outbox) == 1 and "AccessDenied" in mail.outbox[0].body
    failed = ExportRun.objects.get(window_start=HOUR + timedelta(minutes=15))
    assert (failed.status, failed.error_code) == ("failed", "AccessDenied")
    assert not ExportRun.objects.filter(window_start=HOUR + timedelta(minutes=30)).exists()


@pytest.mark.django_db
def test_a_permission_error_hands_verify_to_the_verify_queue_instead_of_running_it_in_the_export(
    iam_s3: dict[str, Any],
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The export worker only queues the re-Verify (as the Verify button does) and returns: a
    destination that hangs holds a Verify worker within the tenant's Verify places, never an
    export worker."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", iam_s3["url"])
    integration = active(
        tenant, "s3", "clicks", HOUR, bucket="revoked", access_key=iam_s3["keys"]["writer"][0],
        secret_key=iam_s3["keys"]["writer"][1], name="refused after this",
    )  # fmt: skip
    iam = _client(iam_s3["url"], "iam", *iam_s3["keys"]["admin"])
    with contextlib.suppress(iam.exceptions.NoSuchEntityException):  # revoked by another test
        iam.delete_user_policy(UserName="writer", PolicyName="all")
    events(tenant, "clicks", 20, HOUR, HOUR + timedelta(minutes=15))
    with django_capture_on_commit_callbacks() as queued:  # the messages, not yet taken
        run_exports("2026-11-22T10:16:00Z")
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.error_code) == ("failed", "AccessDenied")
    verification = Verification.objects.get(integration=integration)
    integration.refresh_from_db()
    # None of the Verify steps ran in the export worker: the Verify waits for a Verify worker.
    assert verification.state == Verification.Result.RUNNING and verification.steps == []
    assert integration.state == State.ACTIVE and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):  # and the email it stores
        for message in queued:  # a Verify worker takes it (tasks run inline in tests)
            message()
    verification.refresh_from_db()
    integration.refresh_from_db()
    assert verification.state == Verification.Result.FAILED and verification.steps
    assert integration.state == State.DEACTIVATED
    assert len(mail.outbox) == 1 and "AccessDenied" in mail.outbox[0].body
    # The run waits for the integration's return, not for a retry time.
    assert ExportRun.objects.get(pk=run.pk).next_attempt_at is None


@pytest.mark.django_db
def test_a_sas_without_write_deactivates_with_one_email(
    azure_env: Azurite,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from tests.integrations.destinations.azure.standin import ACCOUNT, azure_container, azure_sas

    integration = active(
        tenant,
        "azure",
        "clicks",
        HOUR,
        storage_account=ACCOUNT,
        container=azure_container(),
        sas_token=azure_sas(permission="rwd"),
    )
    events(tenant, "clicks", 20, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z", django_capture_on_commit_callbacks)
    integration.set_secrets({"sas_token": azure_sas(permission="rd")}, {"sas_token": "…"})
    integration.save()
    run_exports("2026-11-22T10:31:00Z", django_capture_on_commit_callbacks)
    integration.refresh_from_db()
    assert integration.state == State.DEACTIVATED
    assert len(mail.outbox) == 1 and "AuthorizationPermissionMismatch" in mail.outbox[0].body
    assert ExportRun.objects.get(window_start=HOUR).status == "succeeded"


@pytest.mark.django_db
def test_injected_503s_are_retried_without_deactivation_or_duplicates(
    gcs_env: GCSStandIn, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integrations.destinations.gcs.credentials import service_account_key
    from tests.integrations.destinations.gcs.standin import gcs_bucket, gcs_objects

    monkeypatch.setattr(gcs_module, "RETRY_SECONDS", 0.5)
    bucket = gcs_bucket(gcs_env)
    integration = active(
        tenant,
        "gcs",
        "clicks",
        HOUR,
        bucket=bucket,
        service_account_key=service_account_key(token_uri=gcs_env.token_uri),
    )
    events(tenant, "clicks", 40, HOUR, HOUR + timedelta(minutes=15))
    gcs_env.faults.status, gcs_env.faults.reason, gcs_env.faults.count = 503, "backendError", 50
    run_exports("2026-11-22T10:16:00Z")
    run = ExportRun.objects.get()
    assert (run.status, run.error_code) in {("failed", "backendError"), ("failed", "HTTP503")}
    assert run.next_attempt_at
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    gcs_env.faults.count = 0
    ExportRun.objects.filter(pk=run.pk).update(next_attempt_at=None)
    run_exports("2026-11-22T10:17:00Z")
    run.refresh_from_db()
    assert (run.status, run.rows, run.attempts) == ("succeeded", 40, 2)
    assert sorted(n for n in gcs_objects(gcs_env, bucket) if n.endswith(".csv.gz")) == [
        "exports/clicks/2026/11/22/2026-11-22-10-00.csv.gz"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_window_export_it_once(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", HOUR, bucket=bucket)
    events(tenant, "clicks", 30, HOUR, HOUR + timedelta(minutes=15))
    run_id = schedule(HOUR + timedelta(minutes=16))[0]
    barrier, results, errors = threading.Barrier(2), [], []

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(20):  # a lock error is a failed delivery: the broker redelivers
                try:
                    results.append(execute(run_id))
                    return
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.05)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r is None for r in results) == [False, True]
    run = ExportRun.objects.get(pk=run_id)
    assert (run.status, run.attempts) == ("succeeded", 1)
    assert len([k for k in objects(s3_env, bucket) if k.endswith(".csv.gz")]) == 1
    assert Integration.objects.get(pk=integration.pk).state == State.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_a_worker_claiming_a_run_another_is_claiming_loses_it_rather_than_crashing(
    tenant: Tenant,
) -> None:
    """SQLite refuses the second claim at once ('database table is locked'); it must lose, as on
    PostgreSQL, where it waits for the first one's commit and finds the run taken."""
    active(tenant, "s3", "clicks", HOUR, bucket="claims-race")
    run_id = schedule(HOUR + timedelta(minutes=16))[0]
    first, second = claimed_twice(lambda: ledger.claim(run_id))
    assert first is not None and second == [None]
    assert ExportRun.objects.get(pk=run_id).attempts == 1
