"""Buckets on the S3 stand-in as the tests make and read them back, with their own client."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from botocore.config import Config


def s3(url: str) -> Any:
    return boto3.client(
        "s3", endpoint_url=url, region_name="us-west-2", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip


def new_bucket(url: str) -> str:
    name = f"exports-{uuid.uuid4().hex[:12]}"
    s3(url).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    return name


def objects(url: str, bucket: str) -> dict[str, bytes]:
    client, out = s3(url), {}
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        out[item["Key"]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return out
