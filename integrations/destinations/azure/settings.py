"""Azure Blob Storage's operator settings: read from the environment, overridable in Django's
settings."""

from __future__ import annotations

from ..base import OperatorSetting, env

# Blob endpoint for Azure, e.g. https://127.0.0.1:10000/{account} for a local stand-in.
AZURE_BLOB_ENDPOINT = OperatorSetting(
    "AZURE_BLOB_ENDPOINT", env.str("AZURE_BLOB_ENDPOINT", default="")
)
# Azure's SDK waits this long before its first retry of a throttled or failed request (its
# own default); S3's and GCS's SDKs back off by themselves within about a second.
AZURE_RETRY_BACKOFF_SECONDS = OperatorSetting(
    "AZURE_RETRY_BACKOFF_SECONDS", env.float("AZURE_RETRY_BACKOFF_SECONDS", default=15.0)
)
