"""Turning two-factor sign-in on, attacked: a session someone else holds (an unlocked browser, a
stolen session cookie), without the password, enrols its own authenticator. That ends the
owner's sessions, and the owner's password alone no longer signs in: the account is theirs.
And the key the set-up page shows is one unconfirmed device per user, the same for every session
that opens the page: whoever saw it first holds the owner's second factor once it is enrolled."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from exporthub.tenancy.models import User
from tests.conftest import PASSWORD
from tests.support.totp import code

pytestmark = pytest.mark.django_db


def _logged_in_with_password(user: User) -> Client:
    client = Client()
    answer = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def test_it_asks_for_the_password_before_a_session_enrols_an_authenticator(
    admin_user: User,
) -> None:
    owner = _logged_in_with_password(admin_user)
    hijacked = _logged_in_with_password(admin_user)  # held by someone without the password
    hijacked.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    answer = hijacked.post("/accounts/two-factor/", {"otp_token": code(device)})
    owner_still_in = owner.get("/accounts/two-factor/").status_code == 200
    assert answer.status_code == 400, (
        f"enrolled without the password (HTTP {answer.status_code}); the owner's session "
        f"{'survived' if owner_still_in else 'was ended'}"
    )


def _key_shown(client: Client) -> str:
    page = client.get("/accounts/two-factor/").content.decode()
    found = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', page)
    assert found, "no key on the two-factor page"
    return found.group(1)


def test_it_gives_the_owner_a_key_no_earlier_session_has_seen(admin_user: User) -> None:
    """Someone holding a session (with the phished password) opens the set-up page and notes
    the key; the owner later turns two-factor sign-in on from their own session."""
    seen_by_attacker = _key_shown(_logged_in_with_password(admin_user))
    owner = _logged_in_with_password(admin_user)
    enrolled = _key_shown(owner)
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    turned_on = owner.post(
        "/accounts/two-factor/", {"password": PASSWORD, "otp_token": code(device)}
    )
    assert turned_on.status_code == 201
    assert enrolled != seen_by_attacker, (
        "the owner's authenticator holds the key an earlier session was shown: that session's "
        "holder makes every code the owner's second factor asks for"
    )
