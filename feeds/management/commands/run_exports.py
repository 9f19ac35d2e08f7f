"""`manage.py run_exports [--now ISO]`: what the schedule does at that instant, synchronously."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from feeds.export import execute
from feeds.schedule import schedule


class Command(BaseCommand):
    help = "Schedule the windows due at --now (default: now) and export them in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO time with timezone, e.g. 2026-11-22T11:16:00Z.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            now = datetime.fromisoformat(options["now"])
            if now.tzinfo is None:
                raise CommandError("--now needs a timezone, e.g. 2026-11-22T11:16:00Z.")
        ready = schedule(now)
        for run_id in ready:
            run = execute(run_id)
            if run is None:
                continue
            error = f" — {run.error_code}" if run.error_code else ""
            self.stdout.write(
                f"{run.integration.name}: {run.window_start:%Y-%m-%d %H:%M} {run.status}, "
                f"{run.rows} rows, {len(run.files)} file(s){error}"
            )
        self.stdout.write(f"{len(ready)} run(s) processed.")
