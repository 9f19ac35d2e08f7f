"""Real-format Google credentials: service-account keys with a real RSA private key."""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


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
