"""Turning two-factor sign-in off asks for the password and a current code (or a recovery code);
turning it on or off, and changing the password, ends the user's other sessions (issue 32)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from exporthub.tenancy.models import User
from tests.conftest import PASSWORD
from tests.support.totp import code, turn_on

pytestmark = pytest.mark.django_db


def _logged_in_with_password(user: User) -> Client:
    client = Client()
    answer = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def _logged_in(client: Client) -> bool:
    return client.get("/accounts/two-factor/").status_code == 200


def _off(client: Client, **fields: Any) -> Any:
    return client.post("/accounts/two-factor/", {"action": "off", **fields})


def test_it_keeps_2fa_on_when_a_session_from_before_it_was_enabled_turns_it_off(
    admin_user: User,
) -> None:
    earlier = _logged_in_with_password(admin_user)  # a session an attacker holds
    turn_on(_logged_in_with_password(admin_user))
    _off(earlier)
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_it_asks_for_the_password_and_a_current_code_to_turn_it_off(
    admin_user: User, admin_client: Client
) -> None:
    device, _ = turn_on(admin_client)
    for fields in ({}, {"password": PASSWORD}, {"otp_token": code(device, 1)},
                   {"password": "wrong password", "otp_token": code(device, 1)}):  # fmt: skip
        answer = _off(admin_client, **fields)
        assert answer.status_code == 400, fields
        assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    answer = _off(admin_client, password=PASSWORD, otp_token=code(device, 1))
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_recovery_code_turns_it_off_with_the_password(
    admin_user: User, admin_client: Client
) -> None:
    _, recovery = turn_on(admin_client)
    assert _off(admin_client, password=PASSWORD, otp_token="000000").status_code == 400
    assert _off(admin_client, password=PASSWORD, otp_token=recovery[3]).status_code == 302
    assert not TOTPDevice.objects.filter(user=admin_user).exists()


def test_turning_it_on_ends_the_users_other_sessions_but_not_this_one(admin_user: User) -> None:
    other, this = _logged_in_with_password(admin_user), _logged_in_with_password(admin_user)
    turn_on(this)
    assert _logged_in(this) and not _logged_in(other)


def test_turning_it_off_ends_the_users_other_sessions_but_not_this_one(admin_user: User) -> None:
    this = _logged_in_with_password(admin_user)
    device, _ = turn_on(this)
    other = Client()
    other.post("/accounts/login/", {"username": admin_user.email, "password": PASSWORD,
                                    "otp_token": code(device, 1)})  # fmt: skip
    assert _logged_in(other)
    assert _off(this, password=PASSWORD, otp_token=code(device, 2)).status_code == 302
    assert _logged_in(this) and not _logged_in(other)


def test_changing_the_password_ends_the_users_other_sessions_but_not_this_one(
    admin_user: User,
) -> None:
    other, this = _logged_in_with_password(admin_user), _logged_in_with_password(admin_user)
    new = "a-new-horse-battery-staple"
    fields = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    answer = this.post("/accounts/password/", fields)
    assert answer.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(new)
    assert _logged_in(this) and not _logged_in(other)
