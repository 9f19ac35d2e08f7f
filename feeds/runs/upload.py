"""A part's upload: the spooled bytes its writer hashed, counted on their way to the bucket;
or a file uploaded while it is being written (`while_writing`, a raw window's)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import IO, cast

from exporthub import allocator
from integrations.destinations.base import Connection, DestinationError, ObjectInfo

from ..formats import PartResult
from .growing_spool import GrowingSpool

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


@contextlib.contextmanager
def while_writing(
    conn: Connection,
    key: str,
    content_type: str,
    keep_alive: Callable[[], None] | None = None,
    every: float = 60.0,
) -> Iterator[GrowingSpool]:
    """A spool to write one file into, uploaded to `key` by a thread of its own as it grows:
    the upload overlaps the writing rather than following it (issue 35: ~0.9 s of 6.5 for a
    1 M-row window). The writer calls `spool.end(result)` once the file is complete; leaving
    the block otherwise (an error, a deadline) abandons the upload, so no object that looks
    whole is left. The upload's failure is raised here, as its DestinationError.

    The thread touches only `conn`, whose connections go through the outbound door like every
    other (exporthub.outbound); it is joined before the block is left, whichever way.

    While the upload goes on after the writing, `keep_alive` is called every `every` seconds
    (the run's lease and its place renewed), and once more before the object may complete:
    what it raises (the lease lost) abandons the upload, so a worker that outlived its lease
    never completes an object the run's next worker writes too."""
    spool = GrowingSpool()
    uploaded: list[ObjectInfo] = []
    failed: list[BaseException] = []

    def upload() -> None:
        try:
            stream = cast(IO[bytes], spool)
            uploaded.append(conn.write(key, stream, content_type=content_type, md5=spool.md5))
        except BaseException as exc:  # handed to the writer's thread, which raises it
            failed.append(exc)
        finally:
            spool.upload_ended()

    thread = threading.Thread(target=upload, name=f"upload {key}", daemon=True)
    try:
        thread.start()
        try:
            yield spool
        except BaseException as exc:
            # An upload that failed first is the cause, whatever the writer made of its
            # UploadStopped (a library may wrap it); one failing after stop() is the effect.
            upload_failed_first = bool(failed)
            spool.stop()
            thread.join()
            if upload_failed_first:
                raise failed[0] from exc
            raise
        if spool.result is None:
            spool.stop()
            thread.join()
            raise RuntimeError(f"{key}: the writer never ended its file")
        try:
            _until_read(spool, keep_alive, every)
            spool.seal()
            while thread.is_alive():  # the last parts and the completion
                thread.join(every)
                if thread.is_alive() and keep_alive is not None:
                    keep_alive()
        except BaseException:
            spool.stop()
            thread.join()
            raise
    finally:
        spool.close()
        allocator.give_back()
    counted, spooled = spool.result.bytes, spool.written
    if failed and counted == spooled:
        raise failed[0]
    if failed or uploaded[0].size != counted:  # the spool refused to complete such a file
        raise DestinationError(
            "ShortUpload",
            f"{key}: {spooled} bytes spooled, {counted} written.",
            permanent=False,
        )


def _until_read(spool: GrowingSpool, keep_alive: Callable[[], None] | None, every: float) -> None:
    """Until the upload has read the whole file, `keep_alive` every `every` seconds, then once
    more: the object completes within a lease this worker holds."""
    if keep_alive is None:
        return
    while not spool.wait_at_end(every):
        keep_alive()
    keep_alive()
