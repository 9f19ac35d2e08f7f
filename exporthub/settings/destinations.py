"""Operator settings for destinations: those every cloud shares, then one section per cloud."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .core import env

# --- Every cloud --------------------------------------------------------------------------
# Addresses ExportHub connects from, shown to admins for their allow-lists.
EGRESS_IPS: list[str] = env.list("EGRESS_IPS", default=[])
# A connection to a host a tenant chose (an S3-compatible Endpoint URL) is shut down after this
# long, whatever it is doing; the SDK retries the request it cut (docs/RELIABILITY.md).
TENANT_CONNECTION_SECONDS = env.float("TENANT_CONNECTION_SECONDS", default=300.0)
# Endpoint URL hosts allowed even though they resolve to private or loopback addresses.
ENDPOINT_URL_ALLOWED_HOSTS: list[str] = env.list("ENDPOINT_URL_ALLOWED_HOSTS", default=[])
# A Verify still running after this many seconds fails its next step (transient: try again),
# however slowly the storage answers; each request also has its connect and read timeouts.
VERIFY_DEADLINE_SECONDS = env.float("VERIFY_DEADLINE_SECONDS", default=300.0)
# How long a destination may stay silent on one request before the SDK retries it.
DESTINATION_READ_TIMEOUT_SECONDS = env.float("DESTINATION_READ_TIMEOUT_SECONDS", default=60.0)

# The most ExportHub reads back of one object from a tenant's storage (a Verify test object, a
# manifest, Iceberg metadata): a manifest lists about 100 bytes per file, so 64 MiB holds an hour
# of hundreds of thousands of files; a storage answering more fails the read (ObjectTooLarge).
DESTINATION_READ_MAX_BYTES = env.int("DESTINATION_READ_MAX_BYTES", default=64 * 1024 * 1024)

# --- Amazon S3 ----------------------------------------------------------------------------
# ARN of ExportHub's own AWS principal; enables the bucket-policy and assume-role modes.
S3_PLATFORM_PRINCIPAL_ARN = env.str("S3_PLATFORM_PRINCIPAL_ARN", default="")
# ARN of the IAM role ExportHub assumes for one seat, "{seat_id}" replaced by the tenant's: the
# principal a tenant's bucket policy names, used for that seat's exports alone (a shared principal
# would let one tenant export into a bucket another tenant granted). Enables the bucket-policy mode.
S3_SEAT_ROLE_ARN = env.str("S3_SEAT_ROLE_ARN", default="")
if S3_SEAT_ROLE_ARN and "{seat_id}" not in S3_SEAT_ROLE_ARN:
    raise ImproperlyConfigured(
        "S3_SEAT_ROLE_ARN must contain {seat_id} (e.g. arn:aws:iam::123456789012:role/"
        "exporthub-seat-{seat_id}): without it every tenant would share one role."
    )
# Set when S3 requests go to a local stand-in (make run); pages say so.
S3_STANDIN_URL = env.str("AWS_ENDPOINT_URL_S3", default="")

# --- Google Cloud Storage -----------------------------------------------------------------
# ExportHub's GCS service account of each seat, "{seat_id}" replaced by the tenant's seat id (it
# must contain it); ExportHub impersonates it from its own credentials. Enables the grant mode.
GCS_PLATFORM_SERVICE_ACCOUNT = env.str("GCS_PLATFORM_SERVICE_ACCOUNT", default="")
# The only OAuth token endpoint besides Google's that a service-account key may name (a local
# stand-in); a key naming any other is refused, so no tenant makes ExportHub connect elsewhere.
GCS_TOKEN_URI = env.str("GCS_TOKEN_URI", default="")
# Base URL of the IAM Credentials API ExportHub impersonates each seat's service account through
# (default: Google's); set for a local stand-in.
GCS_IAM_CREDENTIALS_ENDPOINT = env.str("GCS_IAM_CREDENTIALS_ENDPOINT", default="")

# --- Azure Blob Storage -------------------------------------------------------------------
# Blob endpoint for Azure, e.g. https://127.0.0.1:10000/{account} for a local stand-in.
AZURE_BLOB_ENDPOINT = env.str("AZURE_BLOB_ENDPOINT", default="")
# Azure's SDK waits this long before its first retry of a throttled or failed request (its
# own default); S3's and GCS's SDKs back off by themselves within about a second.
AZURE_RETRY_BACKOFF_SECONDS = env.float("AZURE_RETRY_BACKOFF_SECONDS", default=15.0)
