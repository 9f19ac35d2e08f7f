"""A file the export writes and its upload reads as it grows, so both run at once (issue 35).

The bytes wait on disk, as a whole spooled file did before: whatever the bucket's pace, the
worker holds no more of them in memory than the upload's own chunks, and the database's COPY is
never held back by a slow upload. The upload reads as from a file: a read returns the size
asked for, fewer only at the end, since every SDK takes a short read for the last part.

The end is given only once the writer finished its file (`end`) and its worker, the upload
having read every byte, still owns the run (`seal`): an upload that outlived its lease never
completes an object another worker is writing too. A writer that fails
(`stop`) makes the upload's next read raise, so the SDK abandons the upload (S3 aborts the
multipart upload, GCS never finalizes the resumable one, Azure never commits the blocks) rather
than completing a file that looks whole. An upload that fails makes the writer's next write
raise `UploadStopped`, so the COPY ends rather than writing for nobody.
"""

from __future__ import annotations

import os
import tempfile
import threading

from ..formats import PartResult


class UploadStopped(Exception):
    """The upload ended before the file did: the writer stops (the upload's error says why)."""


class WritingStopped(Exception):
    """The writer failed before the end of its file: the upload must not complete."""


class GrowingSpool:
    """Written by the export's thread, read in order by its upload's thread (see above)."""

    def __init__(self) -> None:
        # Unbuffered: every write is in the file, where the upload's pread finds it, at once.
        self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - closed by close()
        self._changed = threading.Condition()
        self._written = 0
        self._read = 0
        self.result: PartResult | None = None  # the writer's, once it finished the file
        self._stopped = False
        self._upload_ended = False
        self._sealed = False  # the upload may read the end and complete the object
        self._at_end = False  # the upload read every byte and waits for the end

    # The writer's side.
    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._upload_ended:
            raise UploadStopped("the upload ended before the file was written")
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):  # a raw file may take fewer bytes than given
            done += self._file.write(view[done:]) or 0
        with self._changed:
            self._written += done
            self._changed.notify_all()
        return done

    @property
    def written(self) -> int:
        return self._written

    def end(self, result: PartResult) -> None:
        """The writer finished: the upload reads to the end, then completes the object."""
        with self._changed:
            self.result = result
            self._changed.notify_all()

    def wait_at_end(self, timeout: float) -> bool:
        """Whether, within `timeout` seconds, the upload read every byte of the ended file (or
        ended itself): what is left is to let it complete."""
        with self._changed:
            return self._changed.wait_for(lambda: self._at_end or self._upload_ended, timeout)

    def wait_read(self, size: int, timeout: float) -> bool:
        """Whether, within `timeout` seconds, the upload read `size` bytes (its SDK had them)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._read >= size, timeout)

    def seal(self) -> None:
        """The upload reads the end of the file and completes the object."""
        with self._changed:
            self._sealed = True
            self._changed.notify_all()

    def stop(self) -> None:
        """The writer failed: the upload's next read raises."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def upload_ended(self) -> None:
        with self._changed:
            self._upload_ended = True
            self._changed.notify_all()

    # The upload's side.
    def read(self, size: int = -1) -> bytes:
        with self._changed:
            while True:
                if self._stopped:
                    raise WritingStopped("the file was not written to its end")
                available = self._written - self._read
                if 0 <= size <= available:
                    break
                if self.result is not None and (available > 0 or self._sealed):
                    break
                if self.result is not None:  # the end, once the writer's worker seals it
                    self._at_end = True
                    self._changed.notify_all()
                self._changed.wait()
            if self.result is not None and self.result.bytes != self._written:
                # Never an object that completes with other bytes than its writer counted.
                raise WritingStopped("the writer counted other bytes than it wrote")
            # Under the lock: `close` cannot hand the descriptor's number to another file
            # while it is read here.
            wanted = available if size < 0 else min(size, available)
            chunks = []
            while wanted > 0:  # pread may return less than asked; never past what was written
                chunk = os.pread(self._file.fileno(), wanted, self._read)
                if not chunk:
                    raise WritingStopped("the spool ended before what was written to it")
                chunks.append(chunk)
                self._read += len(chunk)
                wanted -= len(chunk)
            self._changed.notify_all()
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def md5(self) -> str:
        """The writer's digest of the file, once it finished (the upload does not hash again)."""
        if self.result is None:
            raise WritingStopped("the file was not written to its end")
        return self.result.md5

    def close(self) -> None:
        """Stop an upload still reading (its next read raises), then drop the file."""
        with self._changed:
            self._stopped = True
            self._file.close()
            self._changed.notify_all()
