"""`manage.py demo_traffic`: for `make run` — the demo integration and a trickle of events.

Creates the demo bucket on the local S3 stand-in and a clicks integration of the demo tenant
pointing at it (state New: the user clicks Verify), then stores a few synthetic events of every
feed every 20 seconds, as if traffic were arriving, until stopped.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.management.commands.seed_demo import DEMO_TENANT_NAME
from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.marks import store_marked
from feeds.ingestion.store import store_events
from integrations.catalog import FEEDS
from integrations.destinations.s3.settings import S3_STANDIN_URL
from integrations.destinations.s3.standin import create_bucket
from integrations.forms.registry import form_class
from integrations.lifecycle.services import save_integration
from integrations.models import Integration

BUCKET = "exporthub-demo"
INTERVAL_SECONDS = 20
EVENTS_PER_INTERVAL = {"conversions": 4}  # every other feed: 40
DEMO_KEYS = {
    "access_key": "AKIADEMO000000000000",
    "secret_key": "demo-secret-for-the-local-stand-in",  # nosec B105 - local stand-in
}


def _demo_integration(tenant: Tenant) -> Integration:
    existing = Integration.objects.filter(tenant=tenant, name__startswith="Demo clicks").first()
    if existing:
        return existing
    data = {
        "name": "Demo clicks to S3 (local stand-in)",
        "bucket": BUCKET,
        "region": "us-east-1",
        "auth_mode": "access_key",
        "sse": "none",
        "directory": "/exports/clicks",
        "notification_emails": os.environ.get("DEMO_ADMIN_EMAIL", "admin@demo.example"),
        **DEMO_KEYS,
    }
    form = form_class("s3")(data, tenant=tenant, feed="clicks")
    if not form.is_valid():
        raise CommandError(f"Demo integration invalid: {form.errors.as_text()}")
    return save_integration(form, Actor(label="system (demo)"))


def _store(tenant: Tenant, feed: str, rows: list[tuple[Any, ...]]) -> int:
    """As the API stores (feeds.ingestion.marks): received when stored, never into a window the
    schedule closed already."""
    return store_marked(
        tenant.pk, feed, lambda at: store_events(tenant, feed, [(row, at) for row in rows])
    )


class Command(BaseCommand):
    help = "Create the demo integration on the local S3 stand-in and keep synthetic events flowing."

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(name=DEMO_TENANT_NAME).first()
        if tenant is None or not S3_STANDIN_URL.get():
            self.stdout.write("No demo tenant or no local S3 stand-in configured; nothing to do.")
            return
        if not create_bucket(BUCKET, DEMO_KEYS):
            raise CommandError("The local S3 stand-in did not answer.")
        integration = _demo_integration(tenant)
        self.stdout.write(
            f"Demo integration “{integration.name}” is ready: open it and click Verify."
        )
        generators = {feed: Generator(feed) for feed in FEEDS}
        while True:
            now = timezone.now()
            start = now - timedelta(seconds=INTERVAL_SECONDS)
            for feed, generator in generators.items():
                count = EVENTS_PER_INTERVAL.get(feed, 40)
                _store(tenant, feed, [row for row, _ in generator.rows(count, start, now)])
            time.sleep(INTERVAL_SECONDS)
