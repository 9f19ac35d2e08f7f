"""Real-format test credentials: SAS tokens signed by the Azure SDK, RSA service-account keys."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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


@lru_cache(maxsize=1)
def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def service_account_key(
    email: str = "exporter@acme-data.iam.gserviceaccount.com",
    key_id: str = "0123456789abcdef0123456789abcdef01234567",
    token_uri: str = "https://oauth2.googleapis.com/token",
) -> str:
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "acme-data",
            "private_key_id": key_id,
            "private_key": _private_key_pem(),
            "client_email": email,
            "client_id": "123456789012345678901",
            "token_uri": token_uri,
        }
    )
