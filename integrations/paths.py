"""Feed path macros (seed 004) and how configured paths become object-key prefixes.

Paths are kept in a canonical form: a leading "/" meaning the bucket root, "/"-separated
segments, no trailing "/". Object keys never start with "/".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .catalog import FEEDS, FeedKind

MACRO_RE = re.compile(r"%([A-Za-z_]+)%")
# Macro -> widest value it can expand to, for worst-case key lengths.
MACRO_WIDTHS: dict[str, int] = {
    "FEED_NAME": max(len(name) for name in FEEDS),
    "YEAR": 4,
    "MONTH": 2,
    "DAY": 2,
    "HOUR": 2,
    "TIMESTAMP": 14,
}
MACROS = tuple(MACRO_WIDTHS)

# Raw feeds' folder layouts (`config.layout`): seed 000's Year/Month/Day folders, the default,
# or Hive-style partitions that Athena, BigQuery external tables and Spark prune by.
LAYOUTS: dict[str, str] = {
    "ymd": "Year/Month/Day folders: YYYY/MM/DD/",
    "hive": "Hive-style partitions: dt=YYYY-MM-DD/hour=HH/",
}
DEFAULT_LAYOUT = "ymd"
# The pattern of each layout's folders, for help texts and the page's preview.
LAYOUT_PATTERNS = {"ymd": "{YYYY}/{MM}/{DD}", "hive": "dt={YYYY-MM-DD}/hour={hh}"}


def manifest_pattern(feed: str, seat_id: int) -> re.Pattern[str]:
    """Seed 004's manifest names of one feed and seat: `{feed_name}-{seat_id}-{YYYYMMddHH}-
    {yyyyMMddHHmmss}.json`, with its `-processing` / `-failed` suffixes. Other seats and feeds
    may share a manifest path; only names matching this are the integration's."""
    return re.compile(
        rf"^{re.escape(feed)}-{seat_id}-(\d{{10}})-(\d{{14}})\.json(-processing|-failed)?$"
    )


def key_prefix(path: str) -> str:
    """The object-key prefix of a canonical path: "" for the root, else "a/b"."""
    return path.strip("/")


def join_key(path: str, *names: str) -> str:
    return "/".join(part for part in (key_prefix(path), *names) if part)


def static_root(path: str) -> str:
    """The canonical path up to the first segment holding a macro."""
    fixed: list[str] = []
    for segment in key_prefix(path).split("/"):
        if not segment or MACRO_RE.search(segment):
            break
        fixed.append(segment)
    return "/" + "/".join(fixed)


def layout(config: dict[str, Any]) -> str:
    """A raw integration's layout; integrations saved before the choice have seed 000's."""
    return str(config.get("layout") or DEFAULT_LAYOUT)


def window_folders(config: dict[str, Any], start: datetime) -> tuple[str, ...]:
    """The folders below the Directory that hold the raw window starting at `start` (UTC)."""
    if layout(config) == "hive":
        return (f"dt={start:%Y-%m-%d}", f"hour={start:%H}")
    return (f"{start:%Y}", f"{start:%m}", f"{start:%d}")


def window_file_name(start: datetime, extension: str) -> str:
    """Seed 000's file name of a raw window, whatever the layout: {YYYY-MM-DD-hh-mm}; and to
    the second where a window does not start on a whole minute (only the bench's shortened
    windows do), so no two windows share a name."""
    stamp = f"{start:%Y-%m-%d-%H-%M}"
    return f"{stamp}-{start:%S}.{extension}" if start.second else f"{stamp}.{extension}"


def raw_key_pattern(config: dict[str, Any], extension: str) -> str:
    """Where a raw integration's files go, as a pattern for people: the page's preview."""
    folders = LAYOUT_PATTERNS[layout(config)]
    return "/" + join_key(config["directory"], folders, "{YYYY-MM-DD-hh-mm}." + extension)


def resolve(path: str, *, feed: str, hour: datetime, processed_on: datetime) -> str:
    """Expand the macros of a feed path for one data hour and one processing run."""
    values = {
        "FEED_NAME": feed,
        "YEAR": f"{hour:%Y}",
        "MONTH": f"{hour:%m}",
        "DAY": f"{hour:%d}",
        "HOUR": f"{hour:%H}",
        "TIMESTAMP": f"{processed_on:%Y%m%d%H%M%S}",
    }
    return MACRO_RE.sub(lambda match: values[match.group(1)], path)


def resolve_feed_name(path: str, feed: str) -> str:
    """Expand only %FEED_NAME%: two feed paths equal after this resolve alike for every run."""
    return path.replace("%FEED_NAME%", feed)


def worst_case_bytes(path: str) -> int:
    expanded = MACRO_RE.sub(lambda m: "x" * MACRO_WIDTHS.get(m.group(1), 0), key_prefix(path))
    return len(expanded.encode())


def export_roots(config: dict[str, Any], feed: str) -> list[str]:
    """The canonical paths an export writes under: its Directory (raw), or its Manifest path
    and the fixed part of its Feed path (log-level); an Iceberg table's folder."""
    if config.get("format") == "iceberg":
        return [config["table_path"]]
    if FEEDS[feed].kind == FeedKind.RAW:
        return [config["directory"]]
    return [config["manifest_path"], static_root(config["feed_path"])]


def overlaps(path: str, other: str) -> bool:
    """Whether two canonical paths are the same folder or one holds the other (by whole
    segments: /a/b holds /a/b/c, not /a/bc; the root holds every path)."""
    mine, theirs = key_prefix(path), key_prefix(other)
    if not mine or not theirs or mine == theirs:
        return True
    return mine.startswith(theirs + "/") or theirs.startswith(mine + "/")
