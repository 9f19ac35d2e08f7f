"""A tenant's S3-compatible endpoint that answers an upload with a `200 OK` it never finishes:
the connection is cut at TENANT_CONNECTION_SECONDS (or the server hangs up inside the headers),
and the cut answer is a failure (transient, retried), never a stored object: no succeeded run,
no manifest."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.destinations.base import DestinationError
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.cut_answers import cut_endpoint
from tests.support.exports import active, events, run_exports
from tests.support.hostile import forgets_tenant_hosts
from tests.support.standins import self_signed_certificate

__all__ = ["forgets_tenant_hosts"]  # autouse here: tenant hosts are process-wide
pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
HOST = "127.0.0.2"
MiB = 1024 * 1024


@pytest.fixture
def certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> tuple[Path, Path]:
    settings.ENDPOINT_URL_ALLOWED_HOSTS, settings.TENANT_CONNECTION_SECONDS = [HOST], 2.0
    pair = self_signed_certificate(tmp_path, "endpoint", (HOST,))
    monkeypatch.setenv("AWS_CA_BUNDLE", str(pair[0]))
    return pair


@pytest.fixture
def bucket(s3_env: str) -> Iterator[str]:
    yield new_bucket(s3_env)


def test_an_export_whose_put_answer_drips_until_cut_is_not_recorded_as_succeeded(
    tenant: Tenant, s3_env: str, bucket: str, certificate: tuple[Path, Path]
) -> None:
    with cut_endpoint(s3_env, certificate, "PutObject", "head") as endpoint:
        integration = active(tenant, "s3", "clicks", T0, endpoint_url=endpoint.url, bucket=bucket)
        events(tenant, "clicks", 20, T0, T0 + timedelta(minutes=15))
        run_exports("2026-11-22T10:16:00Z")
    run = ExportRun.objects.get(integration=integration, window_start=T0)
    assert endpoint.answered >= 1
    assert run.status == ExportRun.Status.FAILED, (run.status, run.rows, run.error_code)
    assert run.next_attempt_at is not None  # transient: retried after its back-off
    assert run.error_code == "HeldTooLong", run.error_message  # cut once, then refused
    assert objects(s3_env, bucket) == {}  # nothing stored, no manifest written


def _write(integration: Integration, size: int) -> None:
    integration.connect().write("exports/large.csv", io.BytesIO(os.urandom(size)))


@pytest.mark.parametrize(
    ("request_name", "answer", "code"),
    [
        ("PutObject", "head", "HeldTooLong"),
        ("CreateMultipartUpload", "head", "HeldTooLong"),
        ("UploadPart", "head", "HeldTooLong"),
        ("CompleteMultipartUpload", "head", "HeldTooLong"),
        ("CompleteMultipartUpload", "body", "HeldTooLong"),
        # The server itself hangs up inside the headers, every time it is asked.
        ("PutObject", "cut-head", "ConnectionError"),
        ("CompleteMultipartUpload", "cut-head", "ConnectionError"),
        # The server itself ends the XML early: botocore reads it as S3's 200-with-an-error.
        ("CompleteMultipartUpload", "cut-xml", "500"),
    ],
)
def test_an_upload_whose_answer_is_cut_short_fails_as_transient_and_stores_nothing(
    tenant: Tenant,
    s3_env: str,
    bucket: str,
    certificate: tuple[Path, Path],
    request_name: str,
    answer: str,
    code: str,
) -> None:
    size = 1 * MiB if request_name == "PutObject" else 6 * MiB  # past the multipart threshold
    with cut_endpoint(s3_env, certificate, request_name, answer) as endpoint:
        integration = active(tenant, "s3", "clicks", T0, endpoint_url=endpoint.url, bucket=bucket)
        with pytest.raises(DestinationError) as failed:
            _write(integration, size)
    assert endpoint.answered >= 1
    assert not failed.value.permanent, failed.value
    assert failed.value.code == code, failed.value
    assert objects(s3_env, bucket) == {}
