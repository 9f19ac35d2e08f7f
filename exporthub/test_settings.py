"""Settings for the test suite: the production settings with throwaway secrets and fast hashing."""

from __future__ import annotations

import os

# Fixed, test-only values; a real deployment generates its own (see exporthub.devenv).
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "i-EmLC-3DYjF0h2cXbgS_Hs0aK0auAnNuFGyAAGwkzc=,VQTRRKfWIZ9NPatMFt1J24cGSnMwVcro7SGojZZly7E=",
)

from .settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks queued by the code under test run inline; real workers are tested separately.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Throttles far above what any test sends (the schema fuzzer sends hundreds of requests); the
# throttle tests set the rates they prove.
THROTTLE_INGEST_RATE = THROTTLE_TENANT_INGEST_RATE = "100000/min"
THROTTLE_WRITE_RATE = THROTTLE_TENANT_WRITE_RATE = "100000/min"
THROTTLE_CATALOG_RATE = THROTTLE_TENANT_CATALOG_RATE = "100000/min"
