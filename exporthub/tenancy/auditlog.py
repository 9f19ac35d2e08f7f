"""Recording audit entries: who acted (a user, an API key or the system) and from which IP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import ApiKey, AuditEntry, Tenant, User


@dataclass(frozen=True)
class Actor:
    label: str
    user: User | None = None
    ip: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(label="system")


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address our own trusted proxies saw, never a client-forged one."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR") or None


def actor_for(request: Any) -> Actor:
    """The actor behind a Django or DRF request."""
    api_key = getattr(request, "auth", None)
    if isinstance(api_key, ApiKey):
        return Actor(label=f"API key {api_key.name} ({api_key.prefix}…)", ip=client_ip(request))
    user = request.user
    return Actor(label=user.email, user=user, ip=client_ip(request))


def record(
    tenant: Tenant,
    action: str,
    actor: Actor,
    *,
    target_type: str,
    target_id: object = "",
    target_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor.user,
        actor_label=actor.label[:200],
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label[:200],
        changes=changes or {},
        ip=actor.ip,
    )
