"""What of a tenant's secrets may be shown: provider messages with every stored secret (and SAS
signature) removed, and a stored secret's hint."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, quote, unquote, unquote_plus

SIG_RE = re.compile(r"(sig=)[^&\s\"'<]+", re.IGNORECASE)


def scrub(text: str, secrets: dict[str, Any]) -> str:
    """Remove SAS signatures and any stored secret value from a provider's message, also in the
    decoded forms a provider may echo (Azure quotes a wrong signature base64-decoded from the
    URL: "The MAC signature found in the HTTP request '…' is not the same …")."""
    text = SIG_RE.sub(r"\1[redacted]", text)
    for value in sorted(_secret_forms(secrets), key=len, reverse=True):
        text = text.replace(value, "[redacted]")
    return text[:500]


def _secret_forms(secrets: dict[str, Any]) -> set[str]:
    forms: set[str] = set()
    for value in secrets.values():
        if not isinstance(value, str):
            continue
        forms |= {value, unquote(value), unquote_plus(value)}
        for signature in parse_qs(value.lstrip("?")).get("sig", []):  # parse_qs decodes
            forms |= {signature, quote(signature, safe="")}
    return {form for form in forms if len(form) >= 8}


def mask(secret: str) -> str:
    """At most the last four characters, as a hint of which secret is stored."""
    return f"…{secret[-4:]}" if len(secret) >= 12 else "…"
