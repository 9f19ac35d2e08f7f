"""The local S3 stand-in of `make run` (moto): the demo bucket its demo integration writes to."""

from __future__ import annotations

import time


def create_bucket(bucket: str, keys: dict[str, str], attempts: int = 60) -> bool:
    """Create `bucket` with the demo keys, waiting for the stand-in that starts beside us;
    False when it never answered."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=keys["access_key"],
        aws_secret_access_key=keys["secret_key"],
        config=Config(s3={"addressing_style": "path"}),
    )
    for _ in range(attempts):
        try:
            client.create_bucket(Bucket=bucket)
            return True
        except client.exceptions.BucketAlreadyOwnedByYou:
            return True
        except Exception:
            time.sleep(1)
    return False
