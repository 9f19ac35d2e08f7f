"""Two-factor sign-in with django-otp: a TOTP authenticator app, and recovery codes for when the
phone is lost. A user with a confirmed authenticator gives a code at every login; a tenant may
require it of its Admins (`Tenant.require_admin_2fa`)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import User

RECOVERY_CODES = 10
TOTP_RE = re.compile(r"^\d{6}$")


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


class TurnOffForm(forms.Form):
    """The password and a current code (or a recovery code): a session alone is not enough, it
    may be one opened with the password before the second factor existed."""

    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip
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
        if not self.user.check_password(password):
            # The code is not tried: a right one stays unused, a wrong one is not counted.
            self.add_error("password", "That password is not right.")
            return cleaned
        app = authenticator(self.user)
        if app is None or verify_code(self.user, app, code) is None:
            self.add_error("otp_token", "That authentication code is not right.")
        return cleaned


class ConfirmAuthenticatorForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from the app", max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, device: TOTPDevice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self) -> str:
        code = str(self.cleaned_data["otp_token"]).strip()
        if not TOTP_RE.match(code) or not self.device.verify_token(code):
            raise forms.ValidationError("That code is not right: check the app's clock and retry.")
        return code
