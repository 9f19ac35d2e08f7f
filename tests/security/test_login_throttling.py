"""Login lockout that cannot be dodged by changing the email's case, and a limit per address
against password spraying."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from exporthub.tenancy.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(client: Client, email: str, password: str) -> int:
    return client.post("/accounts/login/", {"username": email, "password": password}).status_code


@override_settings(AXES_FAILURE_LIMIT=3)
def test_changing_the_emails_case_or_spacing_does_not_buy_more_attempts(
    admin_user: User,
) -> None:
    """alice@… is locked after 3 failures however they were spelled; the right password in yet
    another spelling is refused too."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    for spelling in ("Alice@acme.example", "aLICE@acme.example", " alice@ACME.example "):
        _log_in(client, spelling, "wrong password")
    assert _log_in(client, "ALICE@acme.example", PASSWORD) == 429
    assert _log_in(Client(REMOTE_ADDR="198.51.100.9"), "Alice@Acme.example", PASSWORD) == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=5)
def test_one_address_spraying_many_emails_is_refused_whatever_the_email(admin_user: User) -> None:
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(5):  # one try per email: no email reaches its own limit
        assert _log_in(sprayer, f"user{n}@acme.example", "Winter2026!") == 200
    assert _log_in(sprayer, admin_user.email, PASSWORD) == 429
    assert _log_in(Client(REMOTE_ADDR="198.51.100.9"), admin_user.email, PASSWORD) == 302


def test_the_address_limit_is_thirty_failures_in_fifteen_minutes_by_default() -> None:
    from django.conf import settings

    assert (settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_ADDRESS_WINDOW_MINUTES) == (30, 15)
