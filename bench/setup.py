"""Bench data: a tenant, windows of generated events, active integrations on the S3 stand-in."""

from __future__ import annotations

import contextlib
import multiprocessing
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from django.db import connection, connections
from django.test import override_settings

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from feeds.demo.bulk import BulkGenerator
from feeds.ingestion import partitions
from feeds.ingestion.store import copy_events
from feeds.models import EVENT_MODELS
from integrations.forms.registry import form_class
from integrations.lifecycle.services import save_integration
from integrations.models import Integration, State

WINDOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # raw window / log-level hour under test
RAW_END = WINDOW + timedelta(minutes=15)
HOUR_END = WINDOW + timedelta(hours=1)


def tenant(name: str, seat_id: int) -> Tenant:
    found, _ = Tenant.objects.get_or_create(
        slug=name, defaults={"name": name.title(), "seat_id": seat_id}
    )
    return found


def events(owner: Tenant, feed: str, rows: int, start: datetime, end: datetime) -> None:
    """Exactly `rows` events of `feed` in [start, end) for the tenant (regenerated if not).

    Generated in a forked child: memory the allocator keeps after generating millions of rows
    must not count as the measured case's peak RSS."""
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(
        target=_events, args=(owner, feed, rows, start, end)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"generating {rows} {feed} events failed")


def _events(owner: Tenant, feed: str, rows: int, start: datetime, end: datetime) -> None:
    model = EVENT_MODELS[feed]
    existing = model._default_manager.filter(
        tenant=owner, received_at__gte=start, received_at__lt=end
    )
    table = model._meta.db_table
    partitions.maintain(end, start)  # the bench's days, whatever today's date
    if existing.count() != rows:
        model._default_manager.filter(tenant=owner).delete()
        copy_events(feed, BulkGenerator(feed, 1).copy_chunks(owner.pk, rows, start, end))
        # VACUUM too: the first read of freshly loaded rows would otherwise set their hint bits,
        # and whichever case read first (ceiling or export) would pay for it.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    # This VM hands idle page cache back to its host within a minute (1.3 GB → 0.26 GB in 60 s
    # measured), so a case would read its rows from disk or from memory depending on how long
    # the case before it ran: ~1.2 s of a 1 M-row log-level read. Every case starts warm, as a
    # window just ingested is; the table and its indexes go into the OS cache.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        # Every partition (a partitioned table has no storage of its own) and its indexes.
        cursor.execute(
            "WITH leaves AS (SELECT relid FROM pg_partition_tree(%s::regclass) WHERE isleaf)"
            " SELECT (SELECT sum(pg_prewarm(relid, 'read')) FROM leaves),"
            " (SELECT sum(pg_prewarm(indexrelid, 'read')) FROM pg_index"
            "  WHERE indrelid IN (SELECT relid FROM leaves))",
            [table],
        )
    connections.close_all()


def bucket(name: str) -> str:
    client = boto3.client("s3", region_name="us-east-1")
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=name)
    return name


def empty_bucket(name: str) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])


def integration(owner: Tenant, feed: str, name: str, **fields: Any) -> Integration:
    """An active S3 integration created through the real form, exporting from WINDOW."""
    data = {
        "name": name,
        "bucket": bucket(f"bench-{owner.slug}"),
        "region": "us-east-1",
        "auth_mode": "access_key",
        "access_key": "AKIABENCH00000000000",
        "secret_key": "bench-secret-key-not-a-real-one-000000",
        "sse": "none",
        "notification_emails": "bench@example.com",
        **fields,
    }
    if feed in ("clicks", "conversions"):
        data.setdefault("directory", f"/{name}")
    else:
        data.setdefault("manifest_path", f"/{name}/manifests")
        data.setdefault("feed_path", f"/{name}/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%")
    Integration.objects.filter(tenant=owner, name=name).delete()
    form = form_class("s3")(data, tenant=owner, feed=feed)
    # The tick and page cases give one tenant thousands of integrations (bulk copies), past
    # the product's limit: a second run on the same bench database adds its template again.
    with override_settings(MAX_INTEGRATIONS_PER_TENANT=10**9):
        valid = form.is_valid()
    if not valid:
        raise RuntimeError(f"bench integration {name}: {form.errors.as_json()}")
    created = save_integration(form, Actor.system())
    Integration.objects.filter(pk=created.pk).update(state=State.ACTIVE, exports_from=WINDOW)
    created.refresh_from_db()
    return created


def clones(template: Integration, count: int, prefix: str) -> list[int]:
    """Copies of an integration up to `count` in its tenant (bulk inserted); all their ids."""
    owner = template.tenant
    have = Integration.objects.filter(tenant=owner).count()
    copies = []
    for i in range(have, count):
        copy = Integration.objects.get(pk=template.pk)
        copy.pk, copy.name = None, f"{prefix}-{i}"
        copy.destination_key = f"{template.destination_key}-{prefix}{i}"
        copies.append(copy)
    Integration.objects.bulk_create(copies, batch_size=1000)
    return list(Integration.objects.filter(tenant=owner).values_list("pk", flat=True))
