"""Field names (the API's config/secrets keys) and their labels, as users know them from docs.

The destination settings come from each cloud's declaration (`Destination.settings`); the feed
and contact fields every integration has are listed here.
"""

from __future__ import annotations

from .catalog import FeedKind
from .destinations import REGISTRY

COMMON_LABELS: dict[str, str] = {
    "name": "Name",
    "directory": "Directory",
    "manifest_path": "Manifest path",
    "feed_path": "Feed path",
    "format": "Format",
    "compression": "Compression",
    "columns": "Columns",
    "completion_manifests": "Completion manifests",
    "layout": "Layout",
    "filters": "Row filters",
    "table_path": "Table path",
    "notification_emails": "Notification email",
}
# Config keys that belong to each kind of feed, in display order.
FEED_KEYS: dict[FeedKind, tuple[str, ...]] = {
    FeedKind.RAW: (
        "directory",
        "layout",
        "format",
        "compression",
        "columns",
        "completion_manifests",
        "table_path",
        "filters",
    ),
    FeedKind.LOG_LEVEL: (
        "manifest_path", "feed_path", "format", "compression", "table_path", "filters",
    ),
}  # fmt: skip
PATH_KEYS = ("directory", "manifest_path", "feed_path", "table_path")

_SETTINGS = [setting for cls in REGISTRY.values() for setting in cls.settings]
LABELS: dict[str, str] = {**{s.name: s.label for s in _SETTINGS}, **COMMON_LABELS}
# Every config key of the public API, present (null when unused) in every integration's JSON.
CONFIG_KEYS: tuple[str, ...] = (
    *dict.fromkeys(s.name for s in _SETTINGS if not s.secret),
    "directory",
    "manifest_path",
    "feed_path",
    "format",
    "compression",
    "columns",
    "completion_manifests",
    "layout",
    "filters",
    "table_path",
    "notification_emails",
)
# What a config key meant before it existed: an integration saved before it reads as this, so
# its first save with the key is no change (audit log).
CONFIG_DEFAULTS: dict[str, object] = {"layout": "ymd", "filters": []}
SECRET_KEYS: tuple[str, ...] = tuple(dict.fromkeys(s.name for s in _SETTINGS if s.secret))
# Kept in the config (never shown or edited): manifest paths this integration used before in the
# same bucket or container, which the stale-manifest step and the archive still look in.
EARLIER_MANIFEST_PATHS = "earlier_manifest_paths"
