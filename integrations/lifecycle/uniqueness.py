"""Seed 004's "Uniqueness criteria", plus raw directories (their file names would collide).

Within a tenant a clash is refused when the form is saved. Across tenants it is decided at
Verify, among integrations that proved access to the storage: an integration that never passed
Verify blocks no one (no squatting on another tenant's paths), and a save never tells a tenant
that another tenant uses a path (no oracle)."""

from __future__ import annotations

from typing import Any

from ..catalog import FEEDS, FeedKind
from ..models import Integration
from ..paths import overlaps, resolve_feed_name, static_root


def written_paths(feed: str, config: dict[str, Any]) -> list[tuple[str, str]]:
    """Each path field an export writes under, with the folder it writes in: an Iceberg
    table's folder, a raw Directory, or a Manifest path and a Feed path's fixed part."""
    if config.get("format") == "iceberg":
        return [("table_path", config["table_path"])]
    if FEEDS[feed].kind == FeedKind.RAW:
        return [("directory", config["directory"])]
    feed_root = static_root(resolve_feed_name(config["feed_path"], feed))
    return [("manifest_path", config["manifest_path"]), ("feed_path", feed_root)]


def table_clash(feed: str, config: dict[str, Any], other: Integration) -> str | None:
    """With an Iceberg table on either side, any overlap clashes: two tables in one folder
    would replace each other's commits, the table's clean-up deletes every file under its
    folder that no snapshot references, and a table inside another export's folder would be
    read as its files."""
    theirs = [path for _, path in written_paths(other.feed, other.config)]
    for field, path in written_paths(feed, config):
        if any(overlaps(path, their_path) for their_path in theirs):
            return field
    return None


def clash(feed: str, config: dict[str, Any], tenant_id: int, other: Integration) -> str | None:
    """The field that clashes with `other` (same destination), or None."""
    same_tenant = other.tenant_id == tenant_id
    if config.get("format") == "iceberg" or other.config.get("format") == "iceberg":
        return table_clash(feed, config, other)
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


def where_clashing(
    feed: str, config: dict[str, Any], other: Integration, field: str, label: str
) -> str:
    """How an error names the clashing place: "this directory", or "a folder inside or around
    this directory" where an Iceberg table overlaps without being the same folder."""
    mine = dict(written_paths(feed, config))[field]
    theirs = {path for _, path in written_paths(other.feed, other.config)}
    iceberg = "iceberg" in (config.get("format"), other.config.get("format"))
    if iceberg and mine not in theirs:
        return f"a folder inside or around this {label}"
    return f"this {label}"


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
