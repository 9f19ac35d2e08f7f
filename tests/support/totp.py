"""Codes of a TOTP authenticator, as the user's phone would show them, and turning one on."""

from __future__ import annotations

import re

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def code(device: TOTPDevice, offset: int = 0) -> str:
    """The code `offset` steps from now (each code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def turn_on(client: Client, password: str = PASSWORD) -> tuple[TOTPDevice, list[str]]:
    """Set up the authenticator from the two-factor page; its device and recovery codes."""
    assert (
        "Add ExportHub to an authenticator app"
        in client.get("/accounts/two-factor/").content.decode()
    )
    device = TOTPDevice.objects.get(confirmed=False)
    answer = client.post("/accounts/two-factor/", {"password": password, "otp_token": code(device)})
    assert answer.status_code == 201
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{6})</code>", answer.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes
