"""Security headers on every page, and login throttling that follows our trusted proxies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from exporthub.tenancy.models import Tenant, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(client: Client, email: str, password: str, **meta: Any) -> int:
    answer = client.post("/accounts/login/", {"username": email, "password": password}, **meta)
    return answer.status_code


@pytest.mark.parametrize("path", ["/accounts/login/", "/t/acme-ads/", "/t/acme-ads/members/"])
def test_pages_forbid_inline_script_framing_and_foreign_sources(
    path: str, admin_client: Client, tenant: Tenant
) -> None:
    answer = admin_client.get(path)
    assert answer.status_code == 200
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["X-Content-Type-Options"] == "nosniff"
    html = answer.content.decode()
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_that_email_from_that_address(admin_user: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert _log_in(client, admin_user.email, "wrong password") == 200  # form error
    assert _log_in(client, admin_user.email, "wrong password") == 429  # the limit is reached
    locked = client.post("/accounts/login/", {"username": admin_user.email, "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    # Another address is not locked out by this one's failures.
    assert _log_in(Client(REMOTE_ADDR="198.51.100.9"), admin_user.email, PASSWORD) == 302


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_client_address_counts_not_the_proxys(admin_user: User) -> None:
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _ in range(3):
        _log_in(Client(), admin_user.email, "wrong password", **attacker)
    assert _log_in(Client(), admin_user.email, PASSWORD, **attacker) == 429
    # A user behind the same proxy but at another client address still logs in.
    user = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert _log_in(Client(), admin_user.email, PASSWORD, **user) == 302


def test_session_and_csrf_cookies_are_secure_and_http_only_in_production() -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    # Production defaults (DEBUG off) are checked by `check --deploy` in test_settings_guard.
