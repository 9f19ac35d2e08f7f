"""Create the demo tenant and Admin for `make run` (idempotent) and print how to log in."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exporthub.tenancy.models import Tenant
from exporthub.tenancy.services import create_tenant

DEMO_TENANT_NAME = "Demo Network"
DEMO_SEAT_ID = 1001


class Command(BaseCommand):
    help = "Create the demo tenant and its Admin if missing, then print the login details."

    def handle(self, *args: Any, **options: Any) -> None:
        email = os.environ.get("DEMO_ADMIN_EMAIL", "")
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "")
        if not email or not password:
            raise CommandError("DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD must be set (see .env).")
        if not Tenant.objects.filter(name=DEMO_TENANT_NAME).exists():
            create_tenant(DEMO_TENANT_NAME, DEMO_SEAT_ID, email, password)
        self.stdout.write(
            "\n".join(
                (
                    "",
                    f"  ExportHub is starting at {settings.SITE_URL}/",
                    f"  Log in as {email} with password {password}",
                    "  (from .env; stop everything with Ctrl-C)",
                    "",
                )
            )
        )
