"""`manage.py verify_integration <id>`: run Verify now, print the steps, fail on a failed step."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporthub.tenancy.auditlog import Actor
from integrations.models import Integration
from integrations.verify.runs import run_verification, start_verification

MARKS = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "pending": "    "}


class Command(BaseCommand):
    help = "Run the Verify checks of an integration synchronously and print each step."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("integration_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        integration = (
            Integration.objects.select_related("tenant")
            .filter(pk=options["integration_id"])
            .first()
        )
        if integration is None:
            raise CommandError(f"No integration with id {options['integration_id']}.")
        verification, created = start_verification(
            integration, Actor(label="system (verify_integration)"), enqueue=False
        )
        if not created:
            raise CommandError(
                f"Verification {verification.pk} of this integration is already running."
            )
        verification = run_verification(verification.pk)
        for step in verification.steps:
            line = f"[{MARKS[step['status']]}] {step['name']}"
            if step["status"] == "failed":
                line += f" — {step['code']}: {step['detail']}\n       Fix: {step['hint']}"
            self.stdout.write(line)
        integration.refresh_from_db()
        self.stdout.write(f"Verification {verification.state}; integration is {integration.state}.")
        if verification.state != "passed":
            raise CommandError("Verification failed.")
