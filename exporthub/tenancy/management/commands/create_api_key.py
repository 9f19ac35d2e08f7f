"""`manage.py create_api_key --tenant <slug> --role admin|viewer`; the key is the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.keys.issuing import issue_api_key
from exporthub.tenancy.models import Role, Tenant


class Command(BaseCommand):
    help = "Create an API key for a tenant and print it once (last line, alone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant slug.")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--name", default="command line", help="What the key is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with the slug {options['tenant']!r}.")
        key, raw = issue_api_key(
            tenant, options["role"], options["name"], Actor(label="system (create_api_key)")
        )
        self.stdout.write(
            f"Created {key.get_role_display()} key {key.prefix}… for {tenant.name}. "
            "It is shown once; store it now:"
        )
        self.stdout.write(raw)
