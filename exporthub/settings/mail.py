"""Outgoing email: the server (EMAIL_URL) and the sender."""

from __future__ import annotations

from .core import env

# EMAIL_URL expands to Django's EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT … settings.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ExportHub <exporthub@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
