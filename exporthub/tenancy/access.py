"""The one way a view finds its tenant: the URL's slug, through the user's own membership.

Another tenant's slug answers 404 (its existence is not confirmed), a Viewer's write answers
403, an anonymous visitor is sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from .models import Membership, Tenant

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LAST_TENANT_SESSION_KEY = "tenant_slug"


class TenantRequest(HttpRequest):
    """An HttpRequest after `tenant_view` resolved its tenant (for type checkers)."""

    tenant: Tenant
    membership: Membership


def get_membership(user: Any, slug: str) -> Membership:
    """Return the user's membership in the tenant with this slug, or raise 404."""
    try:
        return Membership.objects.select_related("tenant").get(user=user, tenant__slug=slug)
    except Membership.DoesNotExist:
        raise Http404("No such tenant.") from None


def _verified(request: HttpRequest) -> bool:
    """Logged in with a second factor (set by django-otp's OTPMiddleware)."""
    return bool(request.user.is_verified())  # type: ignore[union-attr]


def tenant_view(
    view: Callable[..., HttpResponse] | None = None, *, admin_only: bool = False
) -> Any:
    """Resolve `request.tenant` / `request.membership` from the URL; writes need an Admin.

    `admin_only` also closes reads, for pages that are themselves write controls.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, tenant_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            membership = get_membership(request.user, tenant_slug)
            if (
                membership.is_admin
                and membership.tenant.require_admin_2fa
                and not _verified(request)
            ):
                messages.warning(
                    request,
                    f"{membership.tenant.name} requires two-factor sign-in for Admins: "
                    "turn it on here, then log in again with a code.",
                )
                return redirect("two-factor")
            writes = request.method not in SAFE_METHODS
            if (writes or admin_only) and not membership.is_admin:
                raise PermissionDenied("This needs the Admin role in this tenant.")
            tenant_request = cast(TenantRequest, request)
            tenant_request.tenant = membership.tenant
            tenant_request.membership = membership
            if request.session.get(LAST_TENANT_SESSION_KEY) != tenant_slug:
                request.session[LAST_TENANT_SESSION_KEY] = tenant_slug
            return view(tenant_request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
