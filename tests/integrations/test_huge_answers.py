"""A storage answering a listing with gigabytes where a page of names was asked for: at most
OUTBOUND_ANSWER_MAX_BYTES of any one answer is read, on every SDK, and the request fails as
AnswerTooLarge (not retried) instead of holding the worker until its memory runs out. Object
reads meet their own, smaller limit first (tests/integrations/test_huge_reads.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from exporthub.tenancy.models import Tenant
from integrations.destinations.base import DestinationError
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.integrations.destinations.gcs.standin import gcs_bucket, gcs_integration
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.huge_bucket import GiB, huge_bucket
from tests.support.integrations import make_integration

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
CAP = 2 * MiB  # OUTBOUND_ANSWER_MAX_BYTES in these tests
HUGE = 4 * GiB  # what the storage offers


@pytest.fixture(autouse=True)
def answer_cap(settings: Any) -> None:
    settings.OUTBOUND_ANSWER_MAX_BYTES = CAP
    settings.DESTINATION_READ_MAX_BYTES = 1 * MiB


def _s3_listing(method: str, path: str) -> bool:
    return method == "GET" and "list-type" in parse_qs(urlsplit(path).query)


def _gcs_listing(method: str, path: str) -> bool:
    return method == "GET" and urlsplit(path).path.endswith("/o")


def test_an_s3_listing_answered_with_gigabytes_is_read_up_to_the_cap(
    moto_url: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration = make_integration(tenant, "s3", "clicks", bucket=new_bucket(moto_url))
    with huge_bucket(moto_url, size=HUGE, huge=_s3_listing) as storage:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", storage.url)
        with pytest.raises(DestinationError) as raised:
            list(integration.connect().list_objects("manifests/"))
    assert raised.value.code == "AnswerTooLarge" and not raised.value.permanent, raised.value
    assert storage.answered == 1 and storage.sent < 64 * MiB, f"{storage.sent} bytes were sent"


def test_a_gcs_listing_answered_with_gigabytes_is_read_up_to_the_cap(
    gcs_env: GCSStandIn, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration = gcs_integration(gcs_env, tenant, "clicks", gcs_bucket(gcs_env))
    with huge_bucket(gcs_env.host, size=HUGE, huge=_gcs_listing) as storage:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", storage.url)
        with pytest.raises(DestinationError) as raised:
            list(integration.connect().list_objects("manifests/"))
    assert raised.value.code == "AnswerTooLarge" and not raised.value.permanent, raised.value
    assert storage.answered == 1 and storage.sent < 64 * MiB, f"{storage.sent} bytes were sent"
