"""The GCS emulator as the tests use it: new buckets, their objects, an integration on it, and a
live bucket an export test writes to and reads back."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable
from urllib.parse import quote

import pytest

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.support.integrations import make_integration


def gcs_bucket(gcs: GCSStandIn) -> str:
    name = f"verify-{uuid.uuid4().hex[:12]}"
    request = urllib.request.Request(
        f"{gcs.direct}/storage/v1/b?project=test", data=json.dumps({"name": name}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    urllib.request.urlopen(request, timeout=10).close()
    return name


def gcs_objects(gcs: GCSStandIn, bucket: str) -> list[str]:
    with urllib.request.urlopen(f"{gcs.direct}/storage/v1/b/{bucket}/o", timeout=10) as answer:
        return [item["name"] for item in json.load(answer).get("items", [])]


def gcs_integration(gcs: GCSStandIn, tenant: Tenant, feed: str, bucket: str) -> Integration:
    # The key's token_uri points at a local stub: no call ever reaches Google.
    key = service_account_key(token_uri=gcs.token_uri)
    return make_integration(tenant, "gcs", feed, bucket=bucket, service_account_key=key)


def gcs_read(gcs: GCSStandIn, bucket: str) -> dict[str, bytes]:
    """Every object of the bucket with its content."""
    out = {}
    for name in gcs_objects(gcs, bucket):
        url = f"{gcs.direct}/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media"
        with urllib.request.urlopen(url, timeout=10) as answer:
            out[name] = answer.read()
    return out


def live(request: pytest.FixtureRequest) -> tuple[dict[str, str], Callable[[], dict[str, bytes]]]:
    """An integration's fields on a new bucket (a key whose token_uri is the local stub), and a
    reader of its objects."""
    gcs = request.getfixturevalue("gcs_env")
    bucket = gcs_bucket(gcs)
    key = service_account_key(token_uri=gcs.token_uri)
    return {"bucket": bucket, "service_account_key": key}, lambda: gcs_read(gcs, bucket)
