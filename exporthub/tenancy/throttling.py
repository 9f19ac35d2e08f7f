"""Login throttling on top of django-axes: one counter per normalised email and client address,
and a limit per address whatever the emails (password spraying); and the same limit on the
password asked again inside a session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessFailureLog
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from .auditlog import client_ip


def login_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the email as the login compares it (trimmed, case-folded), so
    Carol@ and cArol@ share one counter; the user model finds accounts the same way."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return raw.strip().casefold() if isinstance(raw, str) else None


def address_failures(address: str | None) -> int:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES)
    return AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses every login from an address with LOGIN_ADDRESS_FAILURE_LIMIT failures in the
    window, then axes' own per-(email, address) lockout; authenticates no one itself."""

    def authenticate(
        self, request: HttpRequest, username: str | None = None, password: str | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if request is not None and address_failures(client_ip(request)) >= limit:
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username, password, **kwargs)


# --- The password asked again inside a session (password page, two-factor on and off) -------
# A session held by someone else (a stolen cookie, an unlocked browser) could otherwise guess the
# password there without the login's limit. Counted per user, whatever the address: the holder
# of a session may send from anywhere.
def _failures_key(user_pk: int) -> str:
    return f"password-check-failures:{user_pk}"


def password_checks_locked(user_pk: int) -> bool:
    """Whether the user's in-session password checks failed AXES_FAILURE_LIMIT times lately."""
    return int(cache.get(_failures_key(user_pk), 0)) >= settings.AXES_FAILURE_LIMIT


def check_password_in_session(user: Any, password: str) -> bool:
    """The password checked as the login would, within its lockout; never checked when locked."""
    if password_checks_locked(user.pk):
        return False
    if user.check_password(password):
        cache.delete(_failures_key(user.pk))
        return True
    key, cooloff = _failures_key(user.pk), int(settings.AXES_COOLOFF_TIME.total_seconds())
    if not cache.add(key, 1, cooloff):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, cooloff)
    return False
