"""`manage.py reprocess --integration <id> --hour ISO`: export an hour again, to a new path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporthub.tenancy.auditlog import Actor
from feeds.runs.export import execute
from feeds.runs.on_demand.queued import QueueFull
from feeds.runs.on_demand.reprocessing import ReprocessingRefused, request_reprocessing
from integrations.models import Integration


class Command(BaseCommand):
    help = "Reprocess one hour of an integration now; earlier files and manifests stay as they are."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--integration", required=True, type=int)
        parser.add_argument("--hour", required=True, help="ISO time with timezone.")

    def handle(self, *args: Any, **options: Any) -> None:
        integration = (
            Integration.objects.select_related("tenant").filter(pk=options["integration"]).first()
        )
        if integration is None:
            raise CommandError(f"No integration with id {options['integration']}.")
        try:
            hour = datetime.fromisoformat(options["hour"])
        except ValueError as exc:
            raise CommandError(f"--hour is not an ISO time: {exc}") from None
        if hour.tzinfo is None:
            raise CommandError("--hour needs a timezone, e.g. 2026-11-22T10:00:00Z.")
        try:
            run = request_reprocessing(integration, hour, Actor(label="system (reprocess)"))
        except (ReprocessingRefused, QueueFull) as refusal:
            raise CommandError(str(refusal)) from None
        done = execute(run.pk)
        status = done.status if done else "queued"
        self.stdout.write(f"Reprocessing {run.window_start:%Y-%m-%d %H:%M}: {status}.")
        if done is not None and done.status != "succeeded":
            raise CommandError(f"{done.error_code}: {done.error_message}")
