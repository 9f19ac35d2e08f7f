"""Tenancy models: users, tenants and roles; API keys; the audit log."""

from __future__ import annotations

from .apikeys import ApiKey
from .audit import AuditEntry
from .invitations import Invitation
from .users import SEAT_ID_MAX, Membership, Role, Tenant, User, UserManager

__all__ = [
    "SEAT_ID_MAX",
    "ApiKey",
    "AuditEntry",
    "Invitation",
    "Membership",
    "Role",
    "Tenant",
    "User",
    "UserManager",
]
