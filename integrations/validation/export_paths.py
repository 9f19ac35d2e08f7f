"""Directory, Manifest path and Feed path: well-formed object-key prefixes with known macros."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from ..catalog import FEEDS
from ..paths import MACRO_RE, MACROS, worst_case_bytes

SEGMENT_RE = re.compile(r"^[A-Za-z0-9!_.*'()=-]*$")
MAX_KEY_BYTES = 1024
# Longest names written below each kind of path (see feeds): leaves room for them.
# (The Hive-style layout's folders are the longer: a Directory fits either layout.)
DIRECTORY_TAIL_BYTES = len("/_manifests/dt=YYYY-MM-DD/hour=HH/YYYY-MM-DD-hh-mm.manifest.json")
LONGEST_FEED_NAME = max(len(name) for name in FEEDS)
MANIFEST_TAIL_BYTES = len("/archive/") + LONGEST_FEED_NAME
MANIFEST_TAIL_BYTES += len("-2147483647-2017013109-20170131132522.json-processing")
FEED_TAIL_BYTES = len("/2147483647-99999-ccd5774e8fc785b4df3d63627f992c4b-2147483647")
# An Iceberg table's longest key: a log-level partition folder and a data file's name.
TABLE_TAIL_BYTES = len("/data/partition_time_millis_hour=YYYY-MM-DD-HH/")
TABLE_TAIL_BYTES += len("2147483647-2147483647-") + 32 + len(".parquet")
MACRO_LIST = ", ".join(f"%{name}%" for name in MACROS)


def _check_segment(segment: str, macros_allowed: bool) -> None:
    if segment == "":
        raise ValidationError("Empty path segments ('//') are not allowed.")
    if segment in {".", ".."}:
        raise ValidationError("'.' and '..' are not allowed as path segments.")
    for name in MACRO_RE.findall(segment):
        if name not in MACROS:
            raise ValidationError(f"Unknown macro %{name}%. Supported: {MACRO_LIST}.")
        if not macros_allowed:
            raise ValidationError("This path does not support macros.")
    literal = MACRO_RE.sub("", segment)
    if "%" in literal:
        raise ValidationError("Stray '%': macros are written like %YEAR%.")
    if not SEGMENT_RE.match(literal):
        raise ValidationError(
            "Use letters, digits and ! - _ . * ' ( ) = in path segments, separated by '/'."
        )


def clean_path(
    value: str, *, macros_allowed: bool, require_timestamp: bool = False, tail_bytes: int
) -> str:
    """Validate a path and return its canonical form ("/" is the bucket root)."""
    value = value.strip()
    if not value:
        raise ValidationError("Enter a path; '/' means the root of the bucket.")
    body = value.removeprefix("/").removesuffix("/")
    segments = body.split("/") if body else []
    for segment in segments:
        _check_segment(segment, macros_allowed)
    canonical = "/" + "/".join(segments)
    if require_timestamp and "%TIMESTAMP%" not in canonical:
        raise ValidationError(
            "%TIMESTAMP% is required: reprocessed hours are written to a new path and never "
            "overwrite earlier files."
        )
    if worst_case_bytes(canonical) + tail_bytes > MAX_KEY_BYTES:
        raise ValidationError(
            f"Too long: with macros expanded and file names added, object keys would exceed "
            f"{MAX_KEY_BYTES} bytes."
        )
    return canonical
