"""Real-format Azure credentials: SAS tokens signed by the Azure SDK."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

ACCOUNT_KEY = base64.b64encode(b"exporthub-test-account-key-32byt").decode()


def sas_token(
    permission: str = "rwdlac",
    resource_types: str = "co",
    services: str = "b",
    expiry: datetime | None = None,
    start: datetime | None = None,
    protocol: str = "https",
    account: str = "exporthubtest",
    account_key: str = ACCOUNT_KEY,
) -> str:
    """An account SAS token exactly as Azure's SDK (and portal) produces it."""
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    token = generate_account_sas(
        account_name=account,
        account_key=account_key,
        resource_types=ResourceTypes.from_string(resource_types),
        permission=AccountSasPermissions.from_string(permission),
        expiry=expiry or datetime.now(UTC) + timedelta(days=3650),
        start=start,
        protocol=protocol,
    )
    if services != "b":
        token = token.replace("ss=b", f"ss={services}")
    return token
