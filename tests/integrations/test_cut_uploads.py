"""A storage whose answer to the final upload request ends early (the connection closed in the
middle of the answer's headers): the upload fails as transient, it is never taken as stored, on
GCS and Azure alike (S3: tests/feeds/test_cut_answers.py)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from exporthub.tenancy.models import Tenant
from tests.integrations.destinations.azure import standin as azure
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.integrations.destinations.gcs.standin import gcs_bucket, gcs_integration, gcs_read
from tests.support.cut_answers import cut_endpoint
from tests.support.integrations import make_integration
from tests.support.standins import self_signed_certificate

pytestmark = pytest.mark.django_db
HOST = "127.0.0.2"
KEY = "exports/cut.csv"
DATA = b"a,b\n" * 100


def _azure_final_upload(method: str, path: str) -> bool:
    """Put Block List (or Put Blob, for a blob in one request)."""
    comp = parse_qs(urlsplit(path).query).get("comp", ["blob"])
    return method == "PUT" and KEY in path and comp[0] in ("blocklist", "blob")


def _gcs_final_upload(method: str, path: str) -> bool:
    query = parse_qs(urlsplit(path).query)
    return method == "PUT" and "upload_id" in query


def test_an_azure_upload_whose_answer_ends_inside_its_headers_is_sent_again_not_taken_as_stored(
    tenant: Tenant, request: pytest.FixtureRequest, tmp_path: Path, settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fields, blobs = azure.live(request)
    integration = make_integration(tenant, "azure", "clicks", **fields)
    certificate = self_signed_certificate(tmp_path, "storage", (HOST,))
    upstream = settings.AZURE_BLOB_ENDPOINT.split("/{account}")[0]
    azurite = request.getfixturevalue("azurite")
    with cut_endpoint(
        upstream, certificate, _azure_final_upload, "cut-head", status=b"201 Created", times=1,
        upstream_ca=azurite.ca_bundle,
    ) as storage:  # fmt: skip
        settings.AZURE_BLOB_ENDPOINT = f"{storage.url}/{{account}}"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
        integration.connect().write(KEY, io.BytesIO(DATA))
        stored = blobs()  # reads pass through the relay to the stand-in
    assert storage.answered == 1
    # The cut answer was an error the SDK retried: the object is really there.
    assert stored.get(KEY) == DATA, sorted(stored)


def test_a_gcs_upload_whose_answer_ends_inside_its_headers_is_sent_again_not_taken_as_stored(
    tenant: Tenant, gcs_env: GCSStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = gcs_bucket(gcs_env)
    integration = gcs_integration(gcs_env, tenant, "clicks", bucket)
    certificate = self_signed_certificate(tmp_path, "storage", (HOST,))
    with cut_endpoint(gcs_env.host, certificate, _gcs_final_upload, "cut-head", times=1) as storage:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", storage.url)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
        integration.connect().write(KEY, io.BytesIO(DATA))
    assert storage.answered == 1
    assert gcs_read(gcs_env, bucket).get(KEY) == DATA
