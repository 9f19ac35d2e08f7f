"""Field names (the API's config/secrets keys) and their labels, as users know them from docs."""

from __future__ import annotations

from feeds.catalog import FeedKind

LABELS: dict[str, str] = {
    "name": "Name",
    "bucket": "Bucket",
    "region": "Region",
    "auth_mode": "Authorization",
    "access_key": "Access key",
    "secret_key": "Secret key",  # nosec B105 - a label
    "role_arn": "Role ARN",
    "sse": "Server-side encryption",
    "kms_key_id": "KMS key ARN or id",
    "endpoint_url": "Endpoint URL",
    "service_account_key": "Service account key (JSON)",
    "service_account_email": "Service account",
    "storage_account": "Storage account",
    "container": "Container",
    "sas_token": "SAS token",  # nosec B105 - a label
    "directory": "Directory",
    "manifest_path": "Manifest path",
    "feed_path": "Feed path",
    "format": "Format",
    "compression": "Compression",
    "notification_emails": "Notification email",
}

# Every config key of the public API, present (null when unused) in every integration's JSON.
CONFIG_KEYS = (
    "bucket",
    "region",
    "sse",
    "kms_key_id",
    "endpoint_url",
    "auth_mode",
    "role_arn",
    "service_account_email",
    "storage_account",
    "container",
    "directory",
    "manifest_path",
    "feed_path",
    "format",
    "compression",
    "notification_emails",
)
SECRET_KEYS = ("access_key", "secret_key", "sas_token", "service_account_key")
PATH_KEYS = ("directory", "manifest_path", "feed_path")
# Kept in the config (never shown or edited): manifest paths this integration used before in the
# same bucket or container, which the stale-manifest step and the archive still look in.
EARLIER_MANIFEST_PATHS = "earlier_manifest_paths"
# Config keys that belong to each kind of feed, in display order.
FEED_KEYS: dict[FeedKind, tuple[str, ...]] = {
    FeedKind.RAW: ("directory",),
    FeedKind.LOG_LEVEL: ("manifest_path", "feed_path", "format", "compression"),
}
SSE_CHOICES = [("none", "None"), ("sse-s3", "SSE-S3"), ("sse-kms", "SSE-KMS")]
