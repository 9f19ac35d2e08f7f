"""Where settings come from (the environment, a `.env` file) and the secrets checked first."""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext
import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# Lets admin/form classes be subscripted for the type checker at runtime.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
ENV_FILE = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    # Values already in the process environment win over the file.
    env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
FIELD_ENCRYPTION_KEYS: list[str] = env.list("FIELD_ENCRYPTION_KEYS", default=[])


def _check_secrets() -> None:
    """Refuse to start without usable secrets; never echo their values."""
    hint = (
        "Run `make run` once to generate a development .env, or set it in the environment "
        "(see README, Configuration)."
    )
    if not SECRET_KEY:
        raise ImproperlyConfigured(f"SECRET_KEY is not set. {hint}")
    weak = (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    )
    if weak and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for DEBUG=false: use at least 50 random characters."
        )
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS is not set. {hint}")
    for position, key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None


_check_secrets()
