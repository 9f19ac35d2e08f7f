"""Daily: manifests older than 30 days move to {Manifest path}/archive/ (seed 004)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.catalog import FEEDS, FeedKind
from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration, State
from integrations.paths import join_key

from . import manifests

AGE = timedelta(days=30)


def archive_manifests(now: datetime) -> int:
    """Every active log-level integration's manifest paths (the current one and those it used
    before in the same bucket); the number of manifests moved."""
    moved = 0
    log_level = [name for name, feed in FEEDS.items() if feed.kind == FeedKind.LOG_LEVEL]
    for integration in Integration.objects.filter(
        state=State.ACTIVE, feed__in=log_level
    ).select_related("tenant"):
        if integration.config.get("format") == "iceberg":
            continue  # a table, no manifests (feeds.iceberg)
        conn: Connection | None = None
        try:
            conn = integration.connect()
            for manifest_path in integration.manifest_paths:
                moved += _archive(conn, integration, manifest_path, now - AGE)
        except DestinationError:
            continue  # the next day tries again; export failures handle deactivation
        finally:
            if conn is not None:
                conn.close()
    return moved


def _archive(
    conn: Connection, integration: Integration, manifest_path: str, before: datetime
) -> int:
    seat = integration.tenant.seat_id
    pattern = manifests.name_pattern(integration.feed, seat)
    moved = 0
    for info in list(conn.list_objects(join_key(manifest_path, f"{integration.feed}-{seat}-"))):
        name = info.key.rsplit("/", 1)[-1]
        match = pattern.match(name)
        if match is None:
            continue
        if datetime.strptime(match.group(1), "%Y%m%d%H").replace(tzinfo=UTC) < before:
            manifests.rename(conn, info.key, join_key(manifest_path, "archive", name))
            moved += 1
    return moved
