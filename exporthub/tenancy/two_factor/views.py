"""Logging in with a second factor, turning the authenticator on and off, changing the password.

Each of those changes ends the user's other sessions and keeps the current one: a session opened
elsewhere (perhaps by someone else, with the password alone) must log in again."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import Membership, User
from .devices import (
    ConfirmAuthenticatorForm,
    LoginForm,
    PasswordChangeForm,
    TurnOffForm,
    authenticator,
    new_recovery_codes,
    turn_off,
)
from .qr import qr_code

ENROLMENT_KEY = "two_factor_enrolment"  # the session's unconfirmed TOTPDevice


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if form.otp_device is not None:  # the session counts as verified from now on
            otp_login(self.request, form.otp_device)
        return response


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (key shown, one code to confirm), then recovery codes."""
    user = cast(User, request.user)  # login_required
    if authenticator(user) is not None:
        return _enabled(request, user)
    device = _enrolment(request, user)
    form = ConfirmAuthenticatorForm(user, device, request.POST or None)
    # Conditional: another session may have replaced this key meanwhile (then it is gone).
    if request.method == "POST" and form.is_valid() and _confirm(user, device):
        request.session.pop(ENROLMENT_KEY, None)
        otp_login(request, device)
        end_other_sessions(request, user)
        codes = new_recovery_codes(user)
        context = {
            "enabled": True,
            "codes": codes,
            "off_form": TurnOffForm(user),
            **_requiring(user),
        }
        return render(request, "tenancy/two_factor.html", context, status=201)
    uri = device.config_url
    context = {"form": form, "key": _base32(device), "uri": uri, "qr": qr_code(uri)}
    return render(request, "tenancy/two_factor.html", context, status=400 if form.is_bound else 200)


def _enabled(request: HttpRequest, user: User) -> HttpResponse:
    """The page while the authenticator is on, and turning it off."""
    bound = request.method == "POST" and request.POST.get("action") == "off"
    form = TurnOffForm(user, request.POST if bound else None)
    if bound and form.is_valid():
        turn_off(user)
        end_other_sessions(request, user)
        messages.success(request, "Two-factor sign-in is off.")
        return redirect("two-factor")
    context = {"enabled": True, "off_form": form, **_requiring(user)}
    return render(request, "tenancy/two_factor.html", context, status=400 if bound else 200)


def _enrolment(request: HttpRequest, user: User) -> TOTPDevice:
    """This session's unconfirmed key, or a new one replacing any other session's: a key is shown
    to the session that asked for it only, and a key seen by another session cannot be enrolled."""
    pk = request.session.get(ENROLMENT_KEY)
    device = TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first() if pk else None
    if device is None:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, confirmed=False, name="Authenticator app")
        request.session[ENROLMENT_KEY] = device.pk
    return device


def _confirm(user: User, device: TOTPDevice) -> bool:
    """Make the key the user's authenticator, unless it was replaced; drop their other devices."""
    with transaction.atomic():
        if not TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True):
            return False
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    return True


def end_other_sessions(request: HttpRequest, user: User) -> None:
    """Log out the user's every other session (their hash no longer matches); keep this one."""
    User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
    user.refresh_from_db(fields=["sessions_epoch"])
    update_session_auth_hash(request, user)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own (the old password first, within the login's lockout); its other sessions
    end with the old hash."""

    form_class = PasswordChangeForm
    template_name = "tenancy/password_change.html"
    success_url = reverse_lazy("two-factor")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed; your other sessions ended.")
        return response


def _requiring(user: User) -> dict[str, Any]:
    tenants = Membership.objects.filter(user=user, role="admin", tenant__require_admin_2fa=True)
    return {"required_by": [m.tenant.name for m in tenants.select_related("tenant")]}


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
