"""IAM and bucket policies ExportHub asks S3 customers to apply: only what the export does."""

from __future__ import annotations

import json
from typing import Any

from integrations.catalog import Operation, operations
from integrations.paths import export_roots, key_prefix

from .settings import S3_PLATFORM_PRINCIPAL_ARN, S3_SEAT_ROLE_ARN

# The object actions each storage operation takes, in the order policies list them; Verify
# asks for exactly those a feed needs (least privilege). A rename is GetObject + PutObject.
OBJECT_ACTIONS: tuple[tuple[str, Operation], ...] = (
    ("s3:PutObject", Operation.WRITE),
    ("s3:GetObject", Operation.READ),
    ("s3:DeleteObject", Operation.DELETE),
    ("s3:AbortMultipartUpload", Operation.WRITE),
    ("s3:GetObjectAcl", Operation.READ_ACL),
)


def seat_role_arn(seat_id: int) -> str:
    """The IAM role ExportHub acts as for this seat's bucket-policy exports ("" when unset, or
    set without "{seat_id}", which every tenant would share: the start refuses that)."""
    template = S3_SEAT_ROLE_ARN.get()
    return template.format(seat_id=seat_id) if "{seat_id}" in template else ""


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def export_prefixes(config: dict[str, Any], feed: str) -> list[str]:
    """Object-key prefixes the export writes under ("" is the bucket root)."""
    return sorted({key_prefix(path) for path in export_roots(config, feed)})


def permission_statements(config: dict[str, Any], feed: str) -> list[dict[str, Any]]:
    bucket_arn = f"arn:{_partition(config.get('region', ''))}:s3:::{config['bucket']}"
    prefixes, needs = export_prefixes(config, feed), operations(feed, config.get("format"))
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ExportHubObjects",
            "Effect": "Allow",
            "Action": [action for action, operation in OBJECT_ACTIONS if operation in needs],
            "Resource": [f"{bucket_arn}/{p}/*" if p else f"{bucket_arn}/*" for p in prefixes],
        },
        {
            "Sid": "ExportHubBucketLocation",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation"],
            "Resource": bucket_arn,
        },
    ]
    if Operation.LIST in needs:
        statements.append(
            {
                "Sid": "ExportHubList",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": bucket_arn,
                "Condition": {
                    "StringLike": {"s3:prefix": [f"{p}/*" if p else "*" for p in prefixes]}
                },
            }
        )
    return statements


def authorization_help(config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    feed, principal = context["feed"], S3_PLATFORM_PRINCIPAL_ARN.get()
    statements = permission_statements(config, feed)
    help_: dict[str, Any] = {"kms": config.get("sse") == "sse-kms"}
    mode = config.get("auth_mode", "access_key")
    if mode == "platform":
        help_["seat_role"] = seat_role_arn(context["seat_id"])
        for statement in statements:
            statement["Principal"] = {"AWS": help_["seat_role"]}
        help_["bucket_policy"] = json.dumps(
            {"Version": "2012-10-17", "Statement": statements}, indent=2
        )
    else:
        help_["iam_policy"] = json.dumps(
            {"Version": "2012-10-17", "Statement": statements}, indent=2
        )
    if mode == "assume_role":
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": principal},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": context["external_id"]}},
                }
            ],
        }
        help_["trust_policy"] = json.dumps(trust, indent=2)
    return help_
