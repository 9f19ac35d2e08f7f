"""Two-factor sign-in with django-otp: a TOTP authenticator app, and recovery codes for when the
phone is lost. A user with a confirmed authenticator gives a code at every login; a tenant may
require it of its Admins (`Tenant.require_admin_2fa`)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import User
from ..throttling import check_password_in_session, password_checks_locked

RECOVERY_CODES = 10
TOTP_RE = re.compile(r"^\d{6}$")
LOCKED = "Too many wrong passwords: try again later."


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the new ones are shown once (each works once)."""
    # 56 random bits each, in django-otp's 16-character token column.
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def turn_off(user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def verify_code(user: User, app: TOTPDevice, code: str) -> Any | None:
    """The device the code belongs to, if it is right: six digits are the authenticator app's,
    anything else a recovery code. Only that device is tried, so a wrong code never counts
    against the other one (django-otp throttles each device's failures)."""
    code = code.strip().replace(" ", "")
    device: Any
    if TOTP_RE.match(code):
        device = app
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_is_allowed()[0]:
        return None
    return device if device.verify_token(code) else None


class LoginForm(AuthenticationForm):
    """Email and password, and the code of the authenticator app once the user has one."""

    otp_token = forms.CharField(
        label="Authentication code", required=False, max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="From your authenticator app, or one of your recovery codes.",
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        app = authenticator(user) if user is not None else None
        if user is not None and app is not None:
            code = cleaned.get("otp_token") or ""
            self.otp_device = verify_code(user, app, code) if code else None
            if self.otp_device is None:
                raise forms.ValidationError(
                    # The password field comes back empty (it is never sent back to a browser).
                    "Enter the code from your authenticator app (or a recovery code), with "
                    "your password again."
                    if not code
                    else "That authentication code is not right.",
                    code="otp_required",
                )
        return cleaned


def _password_field() -> forms.CharField:
    """The account's password, asked again inside a session before its second factor changes."""
    return forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip


class TurnOffForm(forms.Form):
    """The password and a current code (or a recovery code): a session alone is not enough, it
    may be one opened with the password before the second factor existed."""

    password = _password_field()
    otp_token = forms.CharField(
        label="Authentication code", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="From your authenticator app, or one of your recovery codes.",
    )  # fmt: skip

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password, code = cleaned.get("password"), cleaned.get("otp_token")
        if password is None or code is None:
            return cleaned
        if password_checks_locked(self.user.pk):
            raise forms.ValidationError(LOCKED, code="locked")
        # A wrong password tries no code (a right one stays unused, a wrong one is not counted);
        # one message for both, so a wrong code does not tell a guesser the password was right.
        right = check_password_in_session(self.user, password)
        app = authenticator(self.user)
        if not right or app is None or verify_code(self.user, app, code) is None:
            raise forms.ValidationError(
                "That password or authentication code is not right.", code="invalid"
            )
        return cleaned


class ConfirmAuthenticatorForm(forms.Form):
    """The password, then one code of the new key: a session alone must not enrol an
    authenticator (that would end the owner's sessions and lock them out)."""

    password = _password_field()
    otp_token = forms.CharField(
        label="Code from the app", max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, user: User, device: TOTPDevice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.device = user, device

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password, code = cleaned.get("password"), str(cleaned.get("otp_token") or "").strip()
        if password is None or not code:
            return cleaned
        if password_checks_locked(self.user.pk):
            raise forms.ValidationError(LOCKED, code="locked")
        if not check_password_in_session(self.user, password):
            raise forms.ValidationError("That password or code is not right.", code="invalid")
        if not TOTP_RE.match(code) or not self.device.verify_token(code):
            raise forms.ValidationError(
                "That password or code is not right: check the app's clock and retry.",
                code="invalid",
            )
        return cleaned


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's, with the old password checked within the login's lockout."""

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if password_checks_locked(self.user.pk):
            raise forms.ValidationError(LOCKED, code="locked")
        if not check_password_in_session(self.user, old):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return str(old)
