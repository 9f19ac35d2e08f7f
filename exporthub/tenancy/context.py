"""Template context for the navigation: the current tenant and the user's other tenants."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Membership


def tenancy(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        # Only queried when the navigation renders the tenant switcher.
        "user_memberships": SimpleLazyObject(
            lambda: list(Membership.objects.filter(user=user).select_related("tenant"))
        ),
    }
