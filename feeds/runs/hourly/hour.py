"""One attempt of a log-level hour: where its parts and manifest go (seed 004's names), and how
its rows become parts, for every worker that writes some of them."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from django.conf import settings

from integrations.destinations.base import Connection
from integrations.models import Integration
from integrations.paths import join_key, resolve

from ...formats import FormatWriter, PartResult, write_parts, writer_class
from ...models import ExportRun
from .. import ledger, manifests, upload
from ..progress import RowCounter
from ..reading import hour_rows
from . import slices


@dataclass(frozen=True)
class Hour:
    """Where and how one attempt of an hour is written, for every worker that writes it."""

    run: ExportRun
    integration: Integration
    processed_on: datetime
    data_cutoff: datetime

    @property
    def seat(self) -> int:
        return int(self.integration.tenant.seat_id)

    @property
    def path(self) -> str:
        hour = self.run.window_start.astimezone(UTC)
        feed_path = self.integration.config["feed_path"]
        return resolve(feed_path, feed=self.integration.feed, hour=hour,
                       processed_on=self.processed_on)  # fmt: skip

    @property
    def manifest_key(self) -> str:
        name = manifests.manifest_name(
            self.integration.feed, self.seat, self.run.window_start.astimezone(UTC),
            self.processed_on,
        )  # fmt: skip
        return join_key(self.integration.config["manifest_path"], name)

    @property
    def writer(self) -> type[FormatWriter]:
        return writer_class(self.integration.config["format"])

    def document(self, files: list[dict[str, Any]]) -> bytes:
        properties = self.writer.feed_properties(self.integration.config["compression"])
        return manifests.document(
            self.integration.feed, self.seat, self.run.window_start.astimezone(UTC),
            self.processed_on, self.path, files, properties,
        )  # fmt: skip

    def write(
        self,
        conn: Connection,
        start: datetime,
        end: datetime,
        progress: RowCounter,
        number: Callable[[], int] | None = None,
        announce: Callable[[dict[str, Any]], None] | None = None,
        holds: Callable[[], bool] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Rows with event time in [start, end) into parts named as seed 004 says: the files
        uploaded and the rows. `number` gives each part its number (default 0, 1, 2 … in
        order); `announce` hears of each part before its upload, so a worker taking over can
        remove it, and `holds` says after it whether this worker still has the work (default:
        the run's lease is renewed after each upload)."""
        feed, compression = self.integration.feed, self.integration.config["compression"]
        rows, batches = hour_rows(
            self.writer, feed, self.integration.tenant_id, start, end, self.data_cutoff,
            filters=self.run.filters or [],
        )  # fmt: skip
        files: list[dict[str, Any]] = []

        def finish_part(counted: int, stream: IO[bytes], result: PartResult) -> None:
            part = counted if number is None else number()
            name = f"{self.seat}-{part}-{result.md5}-{self.seat}"
            files.append({"name": name, "bytes": result.bytes, "md5": result.md5})
            if announce is not None:
                announce(files[-1])
            key = join_key(self.path, name)
            upload.upload_part(conn, key, stream, "application/octet-stream", result)
            stream.close()
            if holds is not None and not holds():
                # Stalled inside the upload while another worker took the slice over (and may
                # have deleted this part already, or published the hour): the part is in no
                # manifest, so its writer removes it.
                conn.delete(key)
                raise slices.SliceLost(f"{name} landed after its slice was taken over")
            if announce is None:
                ledger.extend_lease(self.run)

        def open_part(number: int) -> IO[bytes]:
            return tempfile.SpooledTemporaryFile(max_size=upload.SPOOL_BYTES)

        counted = progress.count_batches(rows) if batches else progress.count(rows)
        # Closed here, error or not: on PostgreSQL the hour is read on a connection of its own,
        # which must not stay open while the error's traceback does.
        with contextlib.closing(rows):
            results = write_parts(
                self.writer, feed, compression, counted, open_part, finish_part,
                settings.EXPORT_PART_BYTES, batches=batches,
            )  # fmt: skip
        return files, sum(result.rows for result in results)

    def outcome(self, files: list[dict[str, Any]], rows: int, size: int) -> ledger.Outcome:
        return ledger.Outcome(
            rows=rows, bytes=size, files=files, path=self.path, manifest=self.manifest_key,
            processed_on=self.processed_on, data_cutoff=self.data_cutoff,
        )  # fmt: skip
