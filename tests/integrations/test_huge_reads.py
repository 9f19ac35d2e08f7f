"""A storage answering a read with gigabytes (a hostile endpoint, or a bucket where someone put a
huge object under a name ExportHub reads back): at most DESTINATION_READ_MAX_BYTES of it is
read, on every cloud, and the read fails as ObjectTooLarge instead of holding the worker until
its memory runs out."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from exporthub.tenancy.models import Tenant
from integrations.destinations.base import DestinationError
from integrations.models import Verification
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.support.hostile import hostile_server
from tests.support.huge_bucket import GiB, huge_bucket
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
CAP = 1 * MiB  # DESTINATION_READ_MAX_BYTES in these tests
HUGE = 4 * GiB  # what the storage offers


@pytest.fixture(autouse=True)
def read_cap(settings: Any) -> None:
    settings.DESTINATION_READ_MAX_BYTES = CAP


def test_it_fails_verify_read_back_when_the_bucket_answers_gigabytes(
    moto_url: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket_name = f"huge-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3", endpoint_url=moto_url, region_name="us-west-2", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(s3={"addressing_style": "path"}),
    ).create_bucket(
        Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )  # fmt: skip
    integration = make_integration(tenant, "s3", "clicks", bucket=bucket_name)
    with huge_bucket(moto_url, size=HUGE) as bucket:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", bucket.url)
        verification = verify(integration)
    assert verification.state == Verification.Result.FAILED
    step = failed_step(verification)
    assert step["code"] == "ObjectTooLarge", step
    assert "1 MiB" in step["detail"] and "DESTINATION_READ_MAX_BYTES" in step["detail"]
    assert bucket.answered >= 1 and bucket.sent < 64 * MiB, f"{bucket.sent} bytes were sent"


def test_it_caps_a_gcs_read_of_gigabytes(
    gcs_env: GCSStandIn, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = service_account_key(token_uri=gcs_env.token_uri)
    integration = make_integration(tenant, "gcs", "clicks", service_account_key=key)
    with huge_bucket(gcs_env.host, size=HUGE) as storage:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", storage.url)
        with pytest.raises(DestinationError) as raised:
            integration.connect().read("manifests/clicks.json")
    assert raised.value.code == "ObjectTooLarge", raised.value
    assert storage.answered == 1 and storage.sent < 64 * MiB, f"{storage.sent} bytes were sent"


def test_it_caps_an_azure_read_of_gigabytes(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    with hostile_server("huge", tmp_path, huge_bytes=HUGE) as storage:
        settings.AZURE_BLOB_ENDPOINT = f"https://127.0.0.1:{storage.port}/{{account}}"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "azurite-cert.pem"))
        integration = make_integration(tenant, "azure", "clicks")
        with pytest.raises(DestinationError) as raised:
            integration.connect().read("manifests/clicks.json")
    assert raised.value.code == "ObjectTooLarge", raised.value
    assert storage.sent < 64 * MiB, f"{storage.sent} bytes were sent"
