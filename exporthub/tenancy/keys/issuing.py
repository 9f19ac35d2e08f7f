"""Issuing an API key, for the API keys page and `create_api_key`."""

from __future__ import annotations

from ..auditlog import Actor, record
from ..models import ApiKey, Tenant


def issue_api_key(tenant: Tenant, role: str, name: str, actor: Actor) -> tuple[ApiKey, str]:
    """Create a key (made by the actor's user, if any) and its audit entry; the raw key is
    returned once and never stored."""
    key, raw = ApiKey.issue(tenant, role, name, created_by=actor.user)
    record(tenant, "api_key.created", actor, target_type="api_key", target_id=key.pk,
           target_label=str(key), changes={"role": key.role})  # fmt: skip
    return key, raw
