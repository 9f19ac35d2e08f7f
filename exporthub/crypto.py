"""Secrets at rest: JSON encrypted with MultiFernet; the first key encrypts, every key decrypts."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A token no configured key can decrypt; deliberately carries no detail."""


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(key) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    return _fernets(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_json(data: dict[str, Any]) -> str:
    return _current()[0].encrypt(json.dumps(data).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        value = json.loads(_current()[0].decrypt(token.encode()))
    except InvalidToken:
        raise DecryptionError("No configured encryption key can decrypt these secrets.") from None
    if not isinstance(value, dict):
        raise DecryptionError("Decrypted secrets are not a JSON object.")
    return value


def is_encrypted_with_primary_key(token: str) -> bool:
    try:
        _current()[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """Re-encrypt a token under the first key."""
    try:
        return _current()[0].rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("No configured encryption key can decrypt these secrets.") from None
