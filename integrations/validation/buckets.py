"""Bucket, account and container naming rules of S3, GCS and Azure; region and key ids."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from django.core.exceptions import ValidationError

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
# https://cloud.google.com/storage/docs/buckets#naming
GCS_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
GCS_FORBIDDEN = re.compile(r"g[o0][o0]g[l1]e")
# https://learn.microsoft.com/azure/storage/common/storage-account-overview#storage-account-name
AZURE_ACCOUNT_RE = re.compile(r"^[a-z0-9]{3,24}$")
AZURE_CONTAINER_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$")

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


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


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
    if _is_ip_address(name):
        raise ValidationError("A bucket name cannot look like an IP address.")
    if name.startswith(S3_RESERVED_PREFIXES) or name.endswith(S3_RESERVED_SUFFIXES):
        raise ValidationError("This bucket name uses a prefix or suffix that AWS reserves.")


def validate_gcs_bucket(name: str) -> None:
    if not 3 <= len(name) <= 222:
        raise ValidationError("A bucket name has 3 to 63 characters (222 with dots).")
    if not GCS_BUCKET_RE.match(name):
        raise ValidationError(
            "Use lowercase letters, digits, dashes, underscores and dots, starting and ending "
            "with a letter or digit."
        )
    if any(len(part) > 63 or not part for part in name.split(".")):
        raise ValidationError("Each dot-separated part of a bucket name has 1 to 63 characters.")
    if "." not in name and len(name) > 63:
        raise ValidationError("A bucket name without dots has at most 63 characters.")
    if _is_ip_address(name):
        raise ValidationError("A bucket name cannot look like an IP address.")
    if name.startswith("goog") or GCS_FORBIDDEN.search(name):
        raise ValidationError("A bucket name cannot start with 'goog' or contain 'google'.")


def validate_azure_account(name: str) -> None:
    if not AZURE_ACCOUNT_RE.match(name):
        raise ValidationError(
            "A storage account name has 3 to 24 characters: lowercase letters and digits only."
        )


def validate_azure_container(name: str) -> None:
    if not 3 <= len(name) <= 63:
        raise ValidationError("A container name has 3 to 63 characters.")
    if not AZURE_CONTAINER_RE.match(name):
        raise ValidationError(
            "Use lowercase letters, digits and single hyphens, starting and ending with a "
            "letter or digit."
        )


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
