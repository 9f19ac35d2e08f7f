"""`manage.py generate_events --tenant <slug> --feed <feed> --count N [--start --end --seed]`."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.demo.bulk import BulkGenerator
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import copy_events, store_events
from integrations.catalog import FEEDS

CHUNK = 50_000


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise CommandError(f"{value!r} needs a timezone, e.g. 2026-11-22T10:00:00Z.")
    return parsed


class Command(BaseCommand):
    help = "Store realistic synthetic events, as if they had arrived between --start and --end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant slug.")
        parser.add_argument("--feed", required=True, choices=sorted(FEEDS))
        parser.add_argument("--count", required=True, type=int)
        parser.add_argument("--start", help="ISO time (default: an hour before --end).")
        parser.add_argument("--end", help="ISO time, exclusive (default: now).")
        parser.add_argument("--seed", type=int, help="Same seed, same events.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with the slug {options['tenant']!r}.")
        if options["count"] < 0:
            raise CommandError("--count must not be negative.")
        end = _instant(options["end"]) if options["end"] else timezone.now()
        start = _instant(options["start"]) if options["start"] else end - timedelta(hours=1)
        if start >= end:
            raise CommandError("--start must be before --end.")
        began = time.monotonic()
        if connection.vendor == "postgresql":
            generator = BulkGenerator(options["feed"], options["seed"])
            stored = copy_events(
                options["feed"], generator.copy_chunks(tenant.pk, options["count"], start, end)
            )
        else:
            stored = 0
            events = Generator(options["feed"], options["seed"]).rows(options["count"], start, end)
            while chunk := list(islice(events, CHUNK)):
                stored += store_events(tenant, options["feed"], chunk)
        seconds = time.monotonic() - began
        rate = stored / seconds if seconds else 0.0
        self.stdout.write(
            f"Stored {stored} {options['feed']} events for {tenant.name} between "
            f"{start.isoformat()} and {end.isoformat()} ({rate:,.0f} rows/s)."
        )
