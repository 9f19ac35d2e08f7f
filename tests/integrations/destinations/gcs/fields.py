"""Valid Google Cloud Storage form fields for any feed."""

from __future__ import annotations

from tests.integrations.destinations.gcs.credentials import service_account_key


def valid_fields(feed: str) -> dict[str, str]:
    return {
        "bucket": "acme-exports",
        "auth_mode": "key",
        "service_account_key": service_account_key(),
    }
