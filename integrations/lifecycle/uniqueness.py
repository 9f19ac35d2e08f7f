"""Seed 004's "Uniqueness criteria", plus raw directories (their file names would collide).

Within a tenant a clash is refused when the form is saved. Across tenants it is decided at
Verify, among integrations that proved access to the storage: an integration that never passed
Verify blocks no one (no squatting on another tenant's paths), and a save never tells a tenant
that another tenant uses a path (no oracle)."""

from __future__ import annotations

from typing import Any

from ..catalog import FEEDS, FeedKind
from ..models import Integration
from ..paths import resolve_feed_name


def clash(feed: str, config: dict[str, Any], tenant_id: int, other: Integration) -> str | None:
    """The field that clashes with `other` (same destination), or None."""
    same_tenant = other.tenant_id == tenant_id
    mine_table, theirs_table = config.get("table_path"), other.config.get("table_path")
    if config.get("format") == "iceberg" or other.config.get("format") == "iceberg":
        # One table per folder: two exports committing to one table would replace each other.
        both = config.get("format") == other.config.get("format") == "iceberg"
        return "table_path" if both and mine_table == theirs_table else None
    if FEEDS[feed].kind == FeedKind.RAW:
        # Raw files are named by window only: two exports in one directory overwrite.
        return "directory" if other.config.get("directory") == config["directory"] else None
    if other.feed_info.kind != FeedKind.LOG_LEVEL:
        return None
    same_manifests = other.config["manifest_path"] == config["manifest_path"]
    if same_manifests and same_tenant and other.feed == feed:
        return "manifest_path"
    mine = resolve_feed_name(config["feed_path"], feed)
    theirs = resolve_feed_name(other.config["feed_path"], other.feed)
    if mine == theirs:
        same_data = other.feed == feed and other.config["format"] == config["format"]
        if same_tenant or not same_data:
            return "feed_path"
    return None


def verified_clash(integration: Integration) -> str | None:
    """The field clashing with another tenant's integration that proved access to this storage
    before this one did (the first to prove access keeps its paths), if any."""
    others = Integration.objects.filter(
        destination_key=integration.destination_key, exports_from__isnull=False
    ).exclude(tenant=integration.tenant_id)
    if integration.exports_from is not None:
        others = others.filter(exports_from__lt=integration.exports_from)
    for other in others:
        field = clash(integration.feed, integration.config, integration.tenant_id, other)
        if field:
            return field
    return None
