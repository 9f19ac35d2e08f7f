"""Guessing a user's password from inside one of their sessions (a stolen session cookie, an
unlocked browser): the login counts failures and locks out after AXES_FAILURE_LIMIT, but the
password page and the form turning two-factor sign-in off check the password as often as they
are asked, and the latter said when it was right."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from exporthub.tenancy.models import User
from tests.conftest import PASSWORD
from tests.support.totp import code, turn_on

pytestmark = pytest.mark.django_db
NEW = "a new passphrase nobody guessed 42"


def _change(client: Client, old: str) -> Any:
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": NEW, "new_password2": NEW},
    )


def test_it_locks_out_password_guesses_on_the_password_page_as_the_login_does(
    admin_user: User, admin_client: Client, settings: Any
) -> None:
    guesses = [f"guess number {n}" for n in range(settings.AXES_FAILURE_LIMIT + 2)]
    refused = [_change(admin_client, guess).status_code for guess in guesses]
    assert set(refused) == {200}, refused  # the form again, each time "incorrect"
    _change(admin_client, PASSWORD)  # the guess that is right, after all those
    admin_user.refresh_from_db()
    assert not admin_user.check_password(NEW), (
        f"after {len(guesses)} wrong guesses the session changed the password and owns the "
        "account (its owner's sessions ended)"
    )


def _turned_on(user: User) -> tuple[Client, TOTPDevice]:
    client = Client()
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    device, _ = turn_on(client)
    return client, device


def _off(client: Client, password: str, otp_token: str) -> Any:
    fields = {"action": "off", "password": password, "otp_token": otp_token}
    return client.post("/accounts/two-factor/", fields)


def test_it_locks_out_password_guesses_on_the_two_factor_off_form_as_the_login_does(
    admin_user: User, settings: Any
) -> None:
    session, device = _turned_on(admin_user)  # the holder has the session, not the password
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        assert _off(session, f"guess number {n}", "000000").status_code == 400
    _off(session, PASSWORD, code(device, offset=1))  # the right password, an unused code
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists(), (
        "the session guessed the password past the login's lockout and turned two-factor off"
    )


def test_it_does_not_tell_a_guesser_the_password_was_right_when_the_code_is_wrong(
    admin_user: User,
) -> None:
    session, _ = _turned_on(admin_user)
    wrong_password = _errors(_off(session, "a wrong guess", "000000"))
    right_password = _errors(_off(session, PASSWORD, "000000"))
    assert wrong_password and wrong_password == right_password, (
        f"a wrong code answers {right_password} after the right password, {wrong_password} "
        "after a wrong one"
    )


def _errors(answer: Any) -> list[str]:
    return re.findall(r'role="alert">(.*?)<', answer.content.decode())


def test_it_locks_out_password_guesses_on_the_two_factor_set_up_as_the_login_does(
    admin_user: User, admin_client: Client, settings: Any
) -> None:
    admin_client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        fields = {"password": f"guess number {n}", "otp_token": "000000"}
        assert admin_client.post("/accounts/two-factor/", fields).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's delay after wrong codes lasts seconds, not a cool-off
    admin_client.post("/accounts/two-factor/", {"password": PASSWORD, "otp_token": code(device)})
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists(), (
        "the session guessed the password past the login's lockout and enrolled its authenticator"
    )
