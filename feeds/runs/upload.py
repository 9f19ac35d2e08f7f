"""A part's upload: the spooled bytes its writer hashed, counted on their way to the bucket."""

from __future__ import annotations

from typing import IO

from exporthub import allocator
from integrations.destinations.base import Connection, DestinationError

from ..formats import PartResult

# Parts larger than this go to a temporary file, not memory: a worker's peak RSS holds it (the
# page cache serves the upload that follows either way). Small, because a part rolling over is
# held twice for a moment (the buffer and its copy) and what that frees stays resident until the
# part is uploaded: 1 MiB rather than 8 MiB put a 10 M-row hour's peak ~10 MB lower (bench/).
SPOOL_BYTES = 1024 * 1024


def upload_part(
    conn: Connection, key: str, stream: IO[bytes], content_type: str, written: PartResult
) -> None:
    """A spooled part, whose writer hashed exactly these bytes for its name: the upload counts
    them rather than hashing them again (a quarter second of CPU per 130 MB, after the part is
    complete: docs/feeds.md). Fewer or more than were written is an error, never a file whose
    name and manifest describe other bytes.

    What the writer freed goes back to the system before the upload and what the upload freed
    after it, so the next part starts where this one did (exporthub.allocator)."""
    allocator.give_back()
    stream.seek(0)
    try:
        info = conn.write(key, stream, content_type=content_type, md5=written.md5)
    finally:
        allocator.give_back()
    if info.size != written.bytes:
        raise DestinationError(
            "ShortUpload",
            f"{key}: {info.size} bytes read back from the spool, {written.bytes} written.",
            permanent=False,
        )
