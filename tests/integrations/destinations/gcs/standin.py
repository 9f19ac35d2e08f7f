"""The GCS emulator as the tests use it: new buckets, their objects, an integration on it."""

from __future__ import annotations

import json
import urllib.request
import uuid

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.integrations.conftest import make_integration
from tests.support.credentials import service_account_key
from tests.support.standins import GCSStandIn


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
