"""Buckets and containers made straight on the stand-ins, and what they hold, for tests of any
package that export to them."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import boto3
from botocore.config import Config

from tests.support import standins
from tests.support.credentials import sas_token
from tests.support.standins import GCSStandIn

PATH_STYLE = Config(
    s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 2}
)
AZURE_ACCOUNT = standins.AZURITE_ACCOUNT


def s3_client(
    url: str, service: str = "s3", key: str = "AKIAADMIN00000000000", secret: str = "x"
) -> Any:
    return boto3.client(
        service, endpoint_url=url, aws_access_key_id=key, aws_secret_access_key=secret,
        region_name="us-east-1", config=PATH_STYLE,
    )  # fmt: skip


def s3_bucket(url: str, region: str = "us-west-2") -> str:
    name = f"verify-{uuid.uuid4().hex[:12]}"
    extra = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    s3_client(url).create_bucket(Bucket=name, **extra)
    return name


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


def azure_token(**kwargs: object) -> str:
    return sas_token(account=AZURE_ACCOUNT, account_key=standins.AZURITE_KEY, **kwargs)  # type: ignore[arg-type]


def azure_container(create: bool = True) -> str:
    from azure.storage.blob import BlobServiceClient
    from django.conf import settings

    name = f"verify-{uuid.uuid4().hex[:12]}"
    if create:
        service = BlobServiceClient(
            settings.AZURE_BLOB_ENDPOINT.format(account=AZURE_ACCOUNT),
            credential={"account_name": AZURE_ACCOUNT, "account_key": standins.AZURITE_KEY},
        )
        service.create_container(name)
    return name
