"""The S3 stand-in (moto server) as the tests use it: its process, clients, new buckets, their
keys, and a live bucket an export test writes to and reads back."""

from __future__ import annotations

import sys
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.support.services import free_port
from tests.support.standins import background_process

PATH_STYLE = Config(
    s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 2}
)


@contextmanager
def moto_server(workdir: Path) -> Iterator[str]:
    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with background_process(args, port, workdir / f"moto-{port}.log"):
        yield f"http://127.0.0.1:{port}"


def enforce_iam(url: str) -> None:
    """From now on moto checks every request against IAM (real AccessDenied etc.)."""
    request = urllib.request.Request(
        f"{url}/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request, timeout=10).close()


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


def s3_keys(url: str, bucket: str) -> list[str]:
    return [o["Key"] for o in s3_client(url).list_objects_v2(Bucket=bucket).get("Contents", [])]


def s3_objects(url: str, bucket: str) -> dict[str, bytes]:
    client = s3_client(url)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def live(request: pytest.FixtureRequest) -> tuple[dict[str, str], Callable[[], dict[str, bytes]]]:
    """An integration's fields on a new bucket of the stand-in, and a reader of its objects."""
    url = request.getfixturevalue("s3_env")
    bucket = s3_bucket(url)
    return {"bucket": bucket}, lambda: s3_objects(url, bucket)
