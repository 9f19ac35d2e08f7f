"""The feeds a tenant can export and the file formats of log-level feeds (seed 004's enums)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FeedKind(StrEnum):
    RAW = "raw"  # seed 000: CSV.gz every 15 minutes into a Directory
    LOG_LEVEL = "log_level"  # seed 004: hourly files + manifests under Manifest/Feed paths


class Operation(StrEnum):
    """What an export does in storage. A feed says which it needs (`operations`); each
    cloud turns them into its own permissions (S3 actions, SAS letters)."""

    WRITE = "write"
    READ = "read"
    DELETE = "delete"
    LIST = "list"
    RENAME = "rename"  # copy, then delete the source
    READ_ACL = "read_acl"


@dataclass(frozen=True)
class Feed:
    name: str
    label: str
    kind: FeedKind
    description: str


FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        Feed("clicks", "Clicks", FeedKind.RAW, "Raw clicks, CSV.gz every 15 minutes."),
        Feed(
            "conversions", "Conversions", FeedKind.RAW, "Raw conversions, CSV.gz every 15 minutes."
        ),
        Feed(
            "standard_feed",
            "Standard feed",
            FeedKind.LOG_LEVEL,
            "Log-level impressions and auctions, hourly files with JSON manifests.",
        ),
        Feed(
            "segment_feed",
            "Segment feed",
            FeedKind.LOG_LEVEL,
            "Log-level segment pixel loads (users added to your segments), hourly files with "
            "JSON manifests.",
        ),
    )
}
FEED_CHOICES = [(feed.name, feed.label) for feed in FEEDS.values()]

_ALL = frozenset(Operation)
# What each kind of feed does in storage: raw feeds write their files (Verify reads a test
# object back and deletes it); log-level feeds also list, rename and read manifest grants.
OPERATIONS: dict[FeedKind, frozenset[Operation]] = {
    FeedKind.RAW: frozenset({Operation.WRITE, Operation.READ, Operation.DELETE}),
    FeedKind.LOG_LEVEL: _ALL,
}


# An Iceberg table (format `iceberg`, any feed): data and metadata files are written, read back
# (manifests, the current metadata), listed and deleted by the daily maintenance; no renames.
ICEBERG_OPERATIONS = frozenset({Operation.WRITE, Operation.READ, Operation.DELETE, Operation.LIST})


def operations(feed: str, data_format: object = None) -> frozenset[Operation]:
    """The storage operations a feed (by name) needs in a format (the integration's
    `config.format`): destinations ask this, not its kind."""
    if data_format == "iceberg":
        return ICEBERG_OPERATIONS
    return OPERATIONS[FEEDS[feed].kind]


# data_format -> the compression_type values it can be written with, the default first.
FORMAT_COMPRESSIONS: dict[str, tuple[str, ...]] = {
    "csv": ("GZIP",),
    "parquet": ("ZSTD", "SNAPPY"),
    "jsonl": ("GZIP",),
    "protobuf": ("SNAPPY", "DEFLATE", "GZIP", "NONE"),
    "protobuf-delimited": ("GZIP", "NONE"),
    "avro": ("SNAPPY", "DEFLATE", "NONE"),
    "iceberg": ("ZSTD", "SNAPPY"),  # its Parquet data files
}
# The formats of each kind of feed, the default first: raw feeds keep seed 000's CSV.gz unless
# the admin chooses otherwise.
FORMATS: dict[FeedKind, list[tuple[str, str]]] = {
    FeedKind.RAW: [
        ("csv", "CSV (gzip)"),
        ("parquet", "Parquet"),
        ("jsonl", "JSON Lines (gzip)"),
        ("iceberg", "Apache Iceberg table (Parquet)"),
    ],
    FeedKind.LOG_LEVEL: [
        ("protobuf", "protobuf (Hadoop SequenceFile)"),
        ("protobuf-delimited", "protobuf-delimited"),
        ("avro", "avro"),
        ("iceberg", "Apache Iceberg table (Parquet)"),
    ],
}
COMPRESSION_CHOICES = [(c, c) for c in ("SNAPPY", "DEFLATE", "GZIP", "ZSTD", "NONE")]


def either(values: list[str] | tuple[str, ...]) -> str:
    """'a, b or c', for help texts."""
    return f"{', '.join(values[:-1])} or {values[-1]}" if len(values) > 1 else values[0]


def compression_help() -> str:
    """Which compression each format takes, for form and API help (from the table above)."""
    return "; ".join(f"{name}: {either(values)}" for name, values in FORMAT_COMPRESSIONS.items())


def format_help() -> str:
    """The formats of each kind of feed, for the API's help."""
    return "; ".join(
        f"{kind.replace('_', '-')} feeds: {either([name for name, _ in formats])}"
        for kind, formats in FORMATS.items()
    )


# Each feed's column names in registry order, registered by the feeds app (which defines the
# columns) in its AppConfig.ready(): a raw feed's admin picks and orders them (`columns`).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {}
# Each raw format's file name extension, registered likewise (from its writer).
EXTENSIONS: dict[str, str] = {}


def file_format(config: dict[str, object]) -> tuple[str, str]:
    """A raw integration's (format, compression); integrations saved before raw feeds had a
    choice are CSV.gz."""
    data_format = str(config.get("format") or "csv")
    return data_format, str(config.get("compression") or FORMAT_COMPRESSIONS[data_format][0])
