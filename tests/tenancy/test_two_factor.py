"""TOTP two-factor sign-in (django-otp): set up with an authenticator app, logging in with a code
or a recovery code (once), and a tenant that requires it of its Admins."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant, User
from tests.conftest import PASSWORD
from tests.support.totp import code as _code
from tests.support.totp import turn_on as _turn_on

pytestmark = pytest.mark.django_db


def _log_in(email: str, password: str, code: str = "") -> Any:
    client = Client(REMOTE_ADDR="203.0.113.9")
    answer = client.post("/accounts/login/", {"username": email, "password": password,
                                              "otp_token": code})  # fmt: skip
    return client, answer


def test_after_turning_it_on_a_login_needs_the_apps_code(
    admin_user: User, admin_client: Client
) -> None:
    device, _ = _turn_on(admin_client)
    _, without = _log_in(admin_user.email, PASSWORD)
    assert (
        without.status_code == 200
        and "Enter the code from your authenticator app" in without.content.decode()
    )
    _, right = _log_in(admin_user.email, PASSWORD, _code(device, offset=1))
    assert right.status_code == 302
    used = _code(device, offset=1)  # a code is good once: replaying it is refused
    _, replayed = _log_in(admin_user.email, PASSWORD, used)
    assert "not right" in replayed.content.decode()


def test_a_recovery_code_logs_in_once(admin_user: User, admin_client: Client) -> None:
    _, codes = _turn_on(admin_client)
    assert _log_in(admin_user.email, PASSWORD, codes[0])[1].status_code == 302
    assert _log_in(admin_user.email, PASSWORD, codes[1])[1].status_code == 302
    assert _log_in(admin_user.email, PASSWORD, codes[0])[1].status_code == 200  # used up


def test_a_wrong_password_with_a_right_code_is_still_refused(
    admin_user: User, admin_client: Client
) -> None:
    device, _ = _turn_on(admin_client)
    assert _log_in(admin_user.email, "wrong password", _code(device))[1].status_code == 200


def test_a_tenant_can_require_two_factor_sign_in_of_its_admins(
    tenant: Tenant, admin_user: User, viewer_user: User, admin_client: Client, viewer_client: Client
) -> None:
    answer = admin_client.post(f"/t/{tenant.slug}/settings/",
                               {"name": tenant.name, "require_admin_2fa": "on"})  # fmt: skip
    assert answer.status_code == 302
    tenant.refresh_from_db()
    assert tenant.require_admin_2fa
    # An Admin without a second factor is sent to set one up; a Viewer is not concerned.
    blocked = admin_client.get(f"/t/{tenant.slug}/")
    assert blocked.status_code == 302 and blocked["Location"] == "/accounts/two-factor/"
    assert viewer_client.get(f"/t/{tenant.slug}/").status_code == 200
    device, _ = _turn_on(admin_client)  # turning it on verifies this session too
    assert admin_client.get(f"/t/{tenant.slug}/").status_code == 200
    client, answer = _log_in(admin_user.email, PASSWORD, _code(device, offset=1))
    assert answer.status_code == 302 and client.get(f"/t/{tenant.slug}/").status_code == 200


def test_it_has_no_set_password_link_that_logs_in_without_the_second_factor(
    admin_user: User, admin_client: Client
) -> None:
    # A password-reset link (as a leaked email would carry) used to set a password and log in
    # with no code, whatever the user's second factor.
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _turn_on(admin_client)
    uid = urlsafe_base64_encode(force_bytes(admin_user.pk))
    token = default_token_generator.make_token(admin_user)
    client = Client()
    link = f"/accounts/set-password/{uid}/{token}/"
    opened = client.get(link, follow=True)
    new = "another-horse-battery-staple"
    client.post(opened.redirect_chain[-1][0] if opened.redirect_chain else link,
                {"new_password1": new, "new_password2": new})  # fmt: skip
    assert "_auth_user_id" not in client.session
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_the_operators_admin_login_asks_for_the_second_factor_too(
    admin_user: User, admin_client: Client
) -> None:
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    device, _ = _turn_on(admin_client)
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": admin_user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    fields = {"username": admin_user.email, "password": PASSWORD, "otp_token": _code(device, 1)}
    answer = client.post("/admin/login/?next=/admin/", fields)
    assert answer.status_code == 302 and client.get("/admin/").status_code == 200


def test_it_shows_a_qr_code_to_scan_beside_the_key_to_type(
    admin_user: User, admin_client: Client
) -> None:
    page = admin_client.get("/accounts/two-factor/").content.decode()
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="QR code', page), page
    assert 'id="totp-key"' in page and "otpauth://" in page
