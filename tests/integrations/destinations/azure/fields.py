"""Valid Azure Blob Storage form fields: a SAS token with the permissions the feed needs."""

from __future__ import annotations

from integrations.catalog import FEEDS, FeedKind
from tests.integrations.destinations.azure.credentials import sas_token


def valid_fields(feed: str) -> dict[str, str]:
    permission = "rwdlac" if FEEDS[feed].kind == FeedKind.LOG_LEVEL else "rwd"
    return {
        "storage_account": "acmeexports",
        "container": "exports",
        "sas_token": sas_token(permission=permission),
    }
