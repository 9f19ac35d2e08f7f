"""An IAM-enforcing S3/STS stand-in (moto) with users and a role holding known policies."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from integrations.destinations.s3.policy import permission_statements
from tests.integrations.destinations.s3.standin import enforce_iam, moto_server
from tests.support.integrations import FEED_FIELDS

PATH_STYLE = Config(s3={"addressing_style": "path"})
ACCOUNT = "123456789012"  # moto's


def client(url: str, service: str = "s3", key: str = "AKIAADMIN00000000000",
           secret: str = "x") -> Any:  # fmt: skip
    return boto3.client(
        service, endpoint_url=url, aws_access_key_id=key, aws_secret_access_key=secret,
        region_name="us-east-1", config=PATH_STYLE,
    )  # fmt: skip


@dataclass(frozen=True)
class IamWorld:
    url: str
    bucket: str
    users: dict[str, tuple[str, str]]
    role_arn: str


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@contextmanager
def iam_world(workdir: Path) -> Iterator[IamWorld]:
    with moto_server(workdir) as url:
        bucket = "acme-iam-exports"
        client(url).create_bucket(Bucket=bucket)
        iam_client = client(url, "iam")
        config = {
            "bucket": bucket,
            "region": "us-east-1",
            **FEED_FIELDS["clicks"],
            **FEED_FIELDS["standard_feed"],
        }
        everything = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
        read_only = [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetBucketLocation", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ]
        policies = {
            "admin": everything,
            "raw-writer": permission_statements(config, "clicks"),
            "lld-writer": permission_statements(config, "standard_feed"),
            "reader": read_only,
            "platform": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
        }
        users = {}
        for name, statements in policies.items():
            iam_client.create_user(UserName=name)
            iam_client.put_user_policy(
                UserName=name, PolicyName="p", PolicyDocument=_policy(statements)
            )
            key = iam_client.create_access_key(UserName=name)["AccessKey"]
            users[name] = (key["AccessKeyId"], key["SecretAccessKey"])
        trust = [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
        role = iam_client.create_role(
            RoleName="exporthub-writer", AssumeRolePolicyDocument=_policy(trust)
        )
        iam_client.put_role_policy(
            RoleName="exporthub-writer", PolicyName="p",
            PolicyDocument=_policy(permission_statements(config, "standard_feed")),
        )  # fmt: skip
        enforce_iam(url)
        yield IamWorld(url=url, bucket=bucket, users=users, role_arn=role["Role"]["Arn"])


def grant_seat_role(world: IamWorld, seat: int, bucket: str) -> None:
    """As the operator provisions it: one role per seat, trusting the platform user, granted
    what a log-level export needs on `bucket`."""
    admin = client(world.url, "iam", *world.users["admin"])
    name = f"exporthub-seat-{seat}"
    trust = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    config = {"bucket": bucket, "region": "us-east-1", **FEED_FIELDS["standard_feed"]}
    document = {
        "Version": "2012-10-17",
        "Statement": permission_statements(config, "standard_feed"),
    }
    with contextlib.suppress(admin.exceptions.EntityAlreadyExistsException):
        admin.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [trust]}))  # fmt: skip
    admin.put_role_policy(RoleName=name, PolicyName="grant", PolicyDocument=json.dumps(document))


def acting_as_platform(world: IamWorld, settings: Any, monkeypatch: Any) -> IamWorld:
    """ExportHub configured with per-seat roles, its own credentials those of a user that may
    only assume them (the bucket-policy mode)."""
    settings.S3_PLATFORM_PRINCIPAL_ARN = f"arn:aws:iam::{ACCOUNT}:user/platform"
    settings.S3_SEAT_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/exporthub-seat-{{seat_id}}"
    key, secret = world.users["platform"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    return world
