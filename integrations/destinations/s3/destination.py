"""Amazon S3: what the cloud declares (its settings, Verify steps, hints) over connection.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.utils.html import format_html

from ..base import Destination, Setting, url_host
from ..engines import QueryEngines, bucket_place
from . import connection
from . import policy as s3_policy
from . import settings as s3_settings
from .validators import s3_regions

AUTH_MODES = {
    "access_key": "Access key and secret key",
    "platform": "Bucket policy for ExportHub's AWS role of this seat",
    "assume_role": "IAM role assumed by ExportHub (with External ID)",
}
SSE_CHOICES = {"none": "None", "sse-s3": "SSE-S3", "sse-kms": "SSE-KMS"}
# Where ExportHub's own S3, STS and IAM requests go: a tenant's Endpoint URL never names them
# (for Amazon S3 it is left empty).
AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")
# What a HEAD of an object written with each server-side encryption reports.
SSE_REPORTED = {"sse-s3": "AES256", "sse-kms": "aws:kms"}


class S3Destination(Destination):
    kind = "s3"
    label = "Amazon S3"
    sdk_modules = ("boto3", "botocore")
    query_engines = QueryEngines(
        place=bucket_place("s3", "s3"),
        file_io="org.apache.iceberg.aws.s3.S3FileIO",
        hadoop_scheme="s3a",
        snowflake_provider="S3",
        snowflake_scheme="s3",
        snowflake_access="STORAGE_AWS_ROLE_ARN = '<a role of yours that reads the bucket>'",
    )
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("bucket", "Bucket", verify=True),
        Setting("region", "Region", verify=True),
        Setting("auth_mode", "Authorization", verify=True, choices=AUTH_MODES),
        Setting("role_arn", "Role ARN", verify=True),
        Setting("sse", "Server-side encryption", verify=True, choices=SSE_CHOICES),
        Setting("kms_key_id", "KMS key ARN or id", verify=True),
        Setting("endpoint_url", "Endpoint URL", verify=True),
        Setting("access_key", "Access key", secret=True),
        Setting("secret_key", "Secret key", secret=True),
    )
    hints = {
        "AccessDenied": "ExportHub's credentials may not do this. Apply the policy shown on the "
        "integration page to the bucket (or the IAM user/role), including the configured prefixes.",
        "InvalidAccessKeyId": "The Access key does not exist or is inactive: copy it from IAM.",
        "SignatureDoesNotMatch": "The Secret key does not belong to the Access key.",
        "NoSuchBucket": "There is no such bucket: check Bucket (and Endpoint URL).",
        "WrongRegion": "Set Region to the bucket's region.",
        "PermanentRedirect": "The bucket is in another region: set Region to the bucket's region.",
        "AuthorizationHeaderMalformed": "The bucket is in another region: fix Region.",
        "KMS.AccessDeniedException": "Allow ExportHub's principal kms:GenerateDataKey and "
        "kms:Decrypt in the KMS key policy.",
        "KMS.NotFoundException": "The KMS key does not exist in the bucket's region.",
        "ExpiredToken": "The assumed role's session expired; verify again.",
        "NoCredentials": "The operator has not configured ExportHub's AWS credentials.",
        "ManifestInGlacier": "Set lifecycle rules to move manifest objects to Glacier only "
        "outside the manifest path (its archive/ folder is fine).",
        "ManifestAclDenied": "Do not revoke object-level access on non-archived manifests: "
        "ExportHub must be able to read their ACL (aws s3api get-object-acl).",
        "ManifestGrantMissing": "Every non-archived manifest must grant ExportHub's identity "
        "FULL_CONTROL, as the manifests ExportHub writes do: restore that grant, or delete "
        "manifests that were copied in by hand.",
        "EncryptionNotApplied": "The object was stored without the configured server-side "
        "encryption: check the bucket's encryption settings and the KMS key.",
        "*": "S3 answered with an error; if it persists, check the bucket's policy and settings.",
    }

    # S3 answers a HEAD of a missing key with 403, not 404, to whoever may not list the bucket
    # there: a raw feed's grant has no ListBucket, and a log-level feed's holds it only for
    # requests naming a prefix (a HEAD names none). So a denial reads as absent; the grant itself
    # is proved by the steps around (write, read back, list), as an export uses it.
    absent_codes = frozenset({"AccessDenied"})

    @classmethod
    def settings_errors(cls) -> list[str]:
        return s3_settings.errors()

    @classmethod
    def expected_encryption(cls, config: dict[str, Any]) -> str | None:
        return SSE_REPORTED.get(config.get("sse", ""))

    @classmethod
    def datalists(cls) -> dict[str, list[str]]:
        return {"s3-regions": sorted(s3_regions())}

    @classmethod
    def platform_hosts(cls) -> set[str]:
        import os

        configured = [os.environ.get(f"AWS_ENDPOINT_URL{suffix}", "") for suffix in
                      ("", "_S3", "_STS", "_IAM")]  # fmt: skip
        hosts = {url_host(url) for url in configured if url}
        return {*AWS_DOMAINS, *(host for host in hosts if host)}

    @classmethod
    def standin_notice(cls) -> str:
        standin = s3_settings.S3_STANDIN_URL.get()
        if not standin:
            return ""
        return format_html(
            "This ExportHub sends every S3 request to a <strong>local stand-in</strong> at "
            "<code>{}</code> (<code>AWS_ENDPOINT_URL_S3</code>), not to Amazon: files land "
            "there, not in AWS.",
            standin,
        )

    @classmethod
    def verify_steps(cls, stage: str, checks: Any) -> list[tuple[str, Callable[[], str]]]:
        from .verify_steps import steps

        return steps(stage, checks)

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        return f"s3:{config.get('endpoint_url') or 'aws'}:{config['bucket']}"

    @classmethod
    def location(cls, config: dict[str, Any]) -> str:
        endpoint = config.get("endpoint_url")
        return f"s3://{config['bucket']}" + (f" at {endpoint}" if endpoint else "")

    @classmethod
    def object_url(cls, location: str, key: str) -> str:
        """s3://bucket/key; an S3-compatible endpoint stays on the run's "written to" line."""
        bucket = location.split(" at ", 1)[0]
        return f"{bucket}/{key.lstrip('/')}"

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        return s3_policy.authorization_help(config, context)

    @classmethod
    def connect(
        cls, config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
    ) -> connection.S3Connection:
        return connection.connect(config, secrets, external_id=external_id, seat_id=seat_id)
