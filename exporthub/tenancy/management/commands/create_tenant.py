"""`manage.py create_tenant --name --seat-id --admin-email --admin-password`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporthub.tenancy.services import create_tenant


class Command(BaseCommand):
    help = "Create a tenant and its first Admin user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Tenant name; its slug is derived.")
        parser.add_argument("--seat-id", required=True, type=int, help="Positive seat id.")
        parser.add_argument("--admin-email", required=True, help="Login of the first Admin.")
        parser.add_argument(
            "--admin-password",
            required=True,
            help="Password for a new Admin user (an existing user keeps theirs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_tenant(
                name=options["name"],
                seat_id=options["seat_id"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        tenant = result.tenant
        self.stdout.write(
            f"Created tenant {tenant.name!r} (slug {tenant.slug}, seat id {tenant.seat_id})."
        )
        if result.admin_created:
            self.stdout.write(f"Created Admin user {result.admin.email}.")
        else:
            self.stdout.write(
                f"Existing user {result.admin.email} is now an Admin; their password is unchanged."
            )
