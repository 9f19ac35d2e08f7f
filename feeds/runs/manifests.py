"""Seed 004's manifest files: names, JSON, and the -processing / -failed protocol.

The protocol is one construct, `attempt`: step 1 (`fail_stale`) first, then

    with manifests.attempt(conn, manifest_key, announced) as manifest:
        ...write the data files...
        manifest.publish(document)

writes `-processing` on entering (step 2), the final `.json` on `publish` (step 3), and on an
error renames `-processing` to `-failed` (step 4) — unless other workers share the attempt (a
large hour's slices) and the ledger says it goes on without this one (`Attempt.shared`).

The suffixes are exclusive: once an attempt's final `.json` exists, its `-processing` manifest
is only ever deleted, never renamed `-failed` (`retire`), by this attempt, its retry
(feeds.runs.hourly.recovery) or another run's step 1 — whichever gets there first.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable, Container, Iterator
from datetime import UTC, datetime
from typing import Any

from integrations.destinations.base import Connection, DestinationError, ObjectInfo
from integrations.paths import join_key, manifest_pattern

PROCESSING, FAILED = "-processing", "-failed"


def manifest_name(feed: str, seat_id: int, hour: datetime, processed_on: datetime) -> str:
    return f"{feed}-{seat_id}-{hour:%Y%m%d%H}-{processed_on:%Y%m%d%H%M%S}.json"


def name_pattern(feed: str, seat_id: int) -> re.Pattern[str]:
    return manifest_pattern(feed, seat_id)


def document(
    feed: str,
    seat_id: int,
    hour: datetime,
    processed_on: datetime,
    path: str,
    files: list[dict[str, Any]],
    feed_properties: dict[str, str],
) -> bytes:
    """The manifest JSON, field for field as seed 004's schema and example."""
    body = {
        "hour": f"{hour:%Y-%m-%d %H:%M:%S}",
        "files": [{"checksum": f["md5"], "name": f["name"]} for f in files],
        "feed_type": feed,
        "path": path,
        "processed_on": f"{processed_on:%Y%m%d%H%M%S}",
        "feed_properties": feed_properties,
        "seat_id": seat_id,
    }
    return json.dumps(body, indent=2).encode()


def parse(body: bytes) -> dict[str, Any] | None:
    """A manifest we wrote, read back; None when the bucket holds something else there."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # the bucket's owner may have put anything there
        return None
    if not isinstance(document, dict) or not isinstance(document.get("path"), str):
        return None
    entries = document.get("files")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str) and "checksum" in e for e in entries
    ):
        return None
    return document


def put(conn: Connection, key: str, body: bytes) -> None:
    conn.write(key, io.BytesIO(body), content_type="application/json")


def rename(conn: Connection, source: str, target: str) -> None:
    conn.copy(source, target)
    conn.delete(source)


def found(conn: Connection, key: str) -> ObjectInfo | None:
    """The object at `key`, found by listing from it (the first key listed, if it is this one).
    Not a HEAD: S3 answers a HEAD of a missing key with 403, not 404, to a grant whose
    s3:ListBucket is conditioned on a prefix, as our log-level policy is; a listing names one."""
    first = next(iter(conn.list_objects(key)), None)
    return first if first is not None and first.key == key else None


def retire(conn: Connection, manifest_key: str, published: bool) -> str | None:
    """An attempt that will not go on: its -processing manifest deleted when its final `.json`
    exists (`published`), else renamed -failed. The -failed name, if it was renamed."""
    if published:
        conn.delete(manifest_key + PROCESSING)
        return None
    rename(conn, manifest_key + PROCESSING, manifest_key + FAILED)
    return manifest_key + FAILED


def fail_stale(
    conn: Connection,
    manifest_path: str,
    feed: str,
    seat_id: int,
    live: Container[tuple[datetime, datetime]],
) -> list[str]:
    """Step 1: manifests left -processing by a run that died are renamed -failed, or deleted
    when the final `.json` of that name exists (the run died after publishing); those of a live
    attempt, `(hour, processed_on)` in `live`, are another run's work in progress."""
    renamed = []
    pattern = name_pattern(feed, seat_id)
    keys = {info.key for info in conn.list_objects(join_key(manifest_path, f"{feed}-{seat_id}-"))}
    for key in sorted(keys):
        match = pattern.match(key.rsplit("/", 1)[-1])
        if match is None or match.group(3) != PROCESSING:
            continue
        hour = datetime.strptime(match.group(1), "%Y%m%d%H").replace(tzinfo=UTC)
        processed_on = datetime.strptime(match.group(2), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        if (hour, processed_on) in live:
            continue
        manifest_key = key.removesuffix(PROCESSING)
        target = retire(conn, manifest_key, published=manifest_key in keys)
        if target is not None:
            renamed.append(target)
    return renamed


class Attempt:
    """One attempt's manifest while its data files are written; `publish` completes it."""

    def __init__(self, conn: Connection, manifest_key: str) -> None:
        self.conn, self.manifest_key = conn, manifest_key
        # Set when other workers export slices of the attempt: asks the ledger whether they
        # can still finish it after this worker's error.
        self.shared: Callable[[], bool] | None = None
        self.publishing = False

    def publish(self, body: bytes) -> None:
        """Step 3: the final manifest, then the -processing one goes. If deleting it fails, the
        error goes on and the run is retried: the retry adopts this `.json` and deletes it."""
        self.publishing = True  # only this worker publishes the attempt, whoever else wrote it
        put(self.conn, self.manifest_key, body)
        self.conn.delete(self.manifest_key + PROCESSING)

    def settle(self) -> None:
        """Step 4 after an error in this worker: -processing renamed -failed, unless the final
        `.json` may exist (an error while publishing, or another worker publishing a shared
        attempt: it is then looked for, and -processing only deleted if it is there)."""
        maybe = self.publishing or self.shared is not None
        key = self.manifest_key
        retire(self.conn, key, maybe and found(self.conn, key) is not None)

    def goes_on(self) -> bool:
        """After this worker's error, whether the attempt can still be published by another."""
        if self.shared is None or self.publishing:
            return False  # nobody else writes it: a takeover is a new attempt, a new name
        try:
            return self.shared()
        except Exception:
            # The ledger cannot tell (the database is what failed): the manifest stays
            # -processing, and the next run's step 1 decides when the ledger can tell.
            return True


@contextlib.contextmanager
def attempt(conn: Connection, manifest_key: str, announced: bytes) -> Iterator[Attempt]:
    """Steps 2 to 4 for the manifest at `manifest_key` (…json): `announced` written as
    -processing on entry; on any error inside, renamed -failed before the error goes on."""
    put(conn, manifest_key + PROCESSING, announced)
    with continued(conn, manifest_key) as started:
        yield started


@contextlib.contextmanager
def continued(conn: Connection, manifest_key: str) -> Iterator[Attempt]:
    """Steps 3 and 4 of an attempt another worker began (a large hour's slices): on any error
    inside, the -processing manifest is renamed -failed before the error goes on, unless the
    attempt goes on without this worker."""
    started = Attempt(conn, manifest_key)
    try:
        yield started
    except Exception:
        if not started.goes_on():
            # If even this fails, the retry's recovery or the next run's step 1 does it.
            with contextlib.suppress(DestinationError):
                started.settle()
        raise
