"""Daily: manifests older than 30 days move to {Manifest path}/archive/ (seed 004)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.destinations.base import DestinationError
from integrations.models import Integration, State

from . import manifests
from .catalog import FEEDS, FeedKind
from .paths import join_key

AGE = timedelta(days=30)


def archive_manifests(now: datetime) -> int:
    moved = 0
    log_level = [name for name, feed in FEEDS.items() if feed.kind == FeedKind.LOG_LEVEL]
    for integration in Integration.objects.filter(
        state=State.ACTIVE, feed__in=log_level
    ).select_related("tenant"):
        seat, manifest_path = integration.tenant.seat_id, integration.config["manifest_path"]
        pattern = manifests.name_pattern(integration.feed, seat)
        try:
            conn = integration.connect()
            for info in list(
                conn.list_objects(join_key(manifest_path, f"{integration.feed}-{seat}-"))
            ):
                match = pattern.match(info.key.rsplit("/", 1)[-1])
                hour = (
                    datetime.strptime(match.group(1), "%Y%m%d%H").replace(tzinfo=UTC)
                    if match
                    else None
                )
                if hour is not None and hour < now - AGE:
                    target = join_key(manifest_path, "archive", info.key.rsplit("/", 1)[-1])
                    manifests.rename(conn, info.key, target)
                    moved += 1
            conn.close()
        except DestinationError:
            continue  # the next day tries again; export failures handle deactivation
    return moved
