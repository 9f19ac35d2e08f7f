"""`manage.py run_exports [--now ISO]`: what the schedule does at that instant, synchronously."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feeds.models import ExportRun
from feeds.runs import clock, places
from feeds.runs.archive import archive_manifests
from feeds.runs.export import execute, execute_slice
from feeds.runs.hourly import slices
from feeds.runs.places import Waiting
from feeds.runs.schedule import schedule
from integrations.lifecycle.expiry import send_reminders


class Command(BaseCommand):
    help = (
        "Schedule the windows due at --now (default: now), export them in this process, archive "
        "the manifests that are 30 days old and send credential-expiry reminders due at that "
        "instant."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO time with timezone, e.g. 2026-11-22T11:16:00Z.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now is not an ISO time: {exc}") from None
            if now.tzinfo is None:
                raise CommandError("--now needs a timezone, e.g. 2026-11-22T11:16:00Z.")
        # Every time decision below (claims, retries, processing timestamps, data cutoffs, the
        # archive's age) takes this instant, as the schedule's tasks would at that moment.
        with clock.simulated(now):
            ready = schedule(now)
            # First the slices of large hours no worker is on (a worker died in one): their
            # hours' runs are already running, so the schedule does not hand them out.
            work = [Waiting(slice_id, is_slice=True) for slice_id in slices.ready(now)]
            work += [Waiting(run_id) for run_id in ready]
            runs, done = 0, set[Waiting]()
            while work:  # grows as the workers' would (feeds.tasks)
                item = work.pop(0)
                done.add(item)
                follow = lambda run_id: work.append(Waiting(run_id))  # noqa: E731
                if item.is_slice:
                    self._report(execute_slice(item.id, send_next=follow))
                else:
                    runs += 1
                    self._report(execute(item.id, send_next=follow))
                # As a worker giving its tenant's place back: the work waiting for one. At one
                # instant a run that failed is due again at once (no time passes here), so each
                # is worked on once per command, as the schedule's tick would; the rest is put
                # back for the next.
                if (waiting := places.next_waiting(places.tenant_of(item))) is not None:
                    if waiting in done or waiting in work:
                        places.put_back(waiting)
                    else:
                        work.append(waiting)
            archived = archive_manifests(now)
            send_reminders(now)  # the daily credential-expiry pass, idempotent within a day
        self.stdout.write(f"{runs} run(s) processed.")
        if archived:
            self.stdout.write(f"{archived} manifest(s) archived.")

    def _report(self, run: ExportRun | None) -> None:
        """One line per run this process worked on."""
        if run is None:
            return
        error = f" — {run.error_code}" if run.error_code else ""
        self.stdout.write(
            f"{run.integration.name}: {run.window_start:%Y-%m-%d %H:%M} {run.status}, "
            f"{run.rows} rows, {len(run.files)} file(s){error}"
        )
