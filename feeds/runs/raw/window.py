"""A raw window: one file per 15 minutes of received time (CSV.gz by default), then its
completion manifest where the integration asked for one (raw.completion)."""

from __future__ import annotations

from datetime import UTC
from typing import IO, cast

from integrations.catalog import file_format
from integrations.destinations.base import Connection
from integrations.models import Integration
from integrations.paths import join_key, window_file_name, window_folders

from ...formats import writer_class
from ...models import ExportRun
from .. import clock, ledger, manifests, upload
from ..progress import RowCounter
from ..reading import write_window
from . import completion


def export_window(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """The window's file and, where asked for, its completion manifest."""
    feed, start = integration.feed, run.window_start.astimezone(UTC)
    config = integration.config
    folder = "/" + join_key(config["directory"], *window_folders(config, start))
    data_format, compression = file_format(config)
    writer_type = writer_class(data_format)
    name = window_file_name(start, writer_type.extension)
    processed_on = clock.now()
    # Uploaded as it is written: the object appears only once the file is complete.
    # A slow upload renews the run's lease and its place, and is abandoned once they are lost.
    with upload.while_writing(
        conn, join_key(folder, name), writer_type.content_type,
        keep_alive=lambda: ledger.extend_lease(run), every=ledger.lease().total_seconds() / 3,
    ) as spool:  # fmt: skip
        columns = integration.config.get("columns") or None
        writer = writer_type(feed, cast(IO[bytes], spool), compression, columns=columns)
        write_window(
            writer, feed, integration.tenant_id, run.window_start, run.window_end,
            RowCounter(run.pk), filters=run.filters or [],
        )  # fmt: skip
        result = writer.close()
        spool.end(result)
    files = [{"name": name, "bytes": result.bytes, "md5": result.md5}]
    manifest_key = completion.manifest_key(integration.config, start)
    if manifest_key is not None:
        seat, properties = integration.tenant.seat_id, writer_type.feed_properties(compression)
        manifests.put(
            conn,
            manifest_key,
            manifests.document(feed, seat, start, processed_on, folder, files, properties),
        )
    return ledger.Outcome(
        rows=result.rows,
        bytes=result.bytes,
        files=files,
        path=folder,
        manifest=manifest_key or "",
        processed_on=processed_on,
        data_cutoff=run.window_end,
    )
