"""`manage.py create_api_key --tenant <slug> --role admin|viewer`; the key is the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporthub.tenancy.auditlog import Actor, record
from exporthub.tenancy.models import ApiKey, Role, Tenant


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
        key, raw = ApiKey.issue(tenant, options["role"], options["name"])
        record(tenant, "api_key.created", Actor(label="system (create_api_key)"),
               target_type="api_key", target_id=key.pk, target_label=str(key),
               changes={"role": key.role})  # fmt: skip
        self.stdout.write(
            f"Created {key.get_role_display()} key {key.prefix}… for {tenant.name}. "
            "It is shown once; store it now:"
        )
        self.stdout.write(raw)
