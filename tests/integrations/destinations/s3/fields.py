"""Valid Amazon S3 form fields for any feed; the canary credentials must never leak."""

from __future__ import annotations

CANARY_ACCESS_KEY = "AKIACANARY0000SECRET"
CANARY_SECRET_KEY = "canary-secret-key/SHOULD+NEVER+LEAK+0000"


def valid_fields(feed: str) -> dict[str, str]:
    return {
        "bucket": "acme-exports",
        "region": "us-west-2",
        "auth_mode": "access_key",
        "access_key": CANARY_ACCESS_KEY,
        "secret_key": CANARY_SECRET_KEY,
        "sse": "none",
    }
