"""S3 naming rules (bucket, region) and the ids a tenant types (KMS key, IAM role)."""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError

from ..base import is_ip_address

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
KMS_KEY_ID_RE = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
KMS_KEY_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:"
    r"(?:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
    r"|alias/[A-Za-z0-9/_-]{1,250})$"
)
KMS_ALIAS_RE = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
REGION_SHAPE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def validate_s3_bucket(name: str) -> None:
    if not 3 <= len(name) <= 63:
        raise ValidationError("A bucket name has 3 to 63 characters.")
    if not S3_BUCKET_RE.match(name):
        raise ValidationError(
            "Use lowercase letters, digits, dots and hyphens, starting and ending with a letter "
            "or digit."
        )
    if ".." in name or ".-" in name or "-." in name:
        raise ValidationError("A bucket name cannot contain '..', '.-' or '-.'.")
    if is_ip_address(name):
        raise ValidationError("A bucket name cannot look like an IP address.")
    if name.startswith(S3_RESERVED_PREFIXES) or name.endswith(S3_RESERVED_SUFFIXES):
        raise ValidationError("This bucket name uses a prefix or suffix that AWS reserves.")


@lru_cache(maxsize=1)
def s3_regions() -> frozenset[str]:
    """Every S3 region botocore knows, across all AWS partitions."""
    import botocore.session

    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("s3", partition_name=partition)
    )


def validate_s3_region(region: str, *, custom_endpoint: bool) -> None:
    # S3-compatible stores name their regions freely ("auto", "garage"); AWS itself does not.
    if custom_endpoint:
        if not REGION_SHAPE_RE.match(region):
            raise ValidationError("Use lowercase letters, digits and hyphens.")
        return
    if region not in s3_regions():
        raise ValidationError(
            f"{region!r} is not an AWS region code; use one like us-west-2 or eu-central-1."
        )


def validate_kms_key(value: str) -> None:
    if not (KMS_KEY_ID_RE.match(value) or KMS_KEY_ARN_RE.match(value) or KMS_ALIAS_RE.match(value)):
        raise ValidationError(
            "Enter a KMS key id (1234abcd-…), key ARN (arn:aws:kms:region:account:key/…) "
            "or alias (alias/name)."
        )


def validate_role_arn(value: str) -> None:
    if not ROLE_ARN_RE.match(value):
        raise ValidationError("Enter an IAM role ARN like arn:aws:iam::123456789012:role/name.")
