"""Any valid key reads its own tenant; only Admin keys write."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from exporthub.tenancy.models import ApiKey


class TenantKeyPermission(permissions.BasePermission):
    message = "This API key has the Viewer role: it can read but not change anything."

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        return request.method in permissions.SAFE_METHODS or key.is_admin
