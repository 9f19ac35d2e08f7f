"""A raw window: one file per 15 minutes of received time (CSV.gz by default), then its
completion manifest where the integration asked for one (raw.completion)."""

from __future__ import annotations

import tempfile
from datetime import UTC

from integrations.catalog import file_format
from integrations.destinations.base import Connection
from integrations.models import Integration
from integrations.paths import join_key

from ...formats import writer_class
from ...models import ExportRun
from .. import clock, ledger, manifests, upload
from ..progress import RowCounter
from ..reading import write_window
from ..windows import raw_file_stamp
from . import completion


def export_window(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """The window's file and, where asked for, its completion manifest."""
    feed, start = integration.feed, run.window_start.astimezone(UTC)
    folder = "/" + join_key(
        integration.config["directory"], f"{start:%Y}", f"{start:%m}", f"{start:%d}"
    )
    data_format, compression = file_format(integration.config)
    writer_type = writer_class(data_format)
    name = f"{raw_file_stamp(start)}.{writer_type.extension}"
    processed_on = clock.now()
    with tempfile.SpooledTemporaryFile(max_size=upload.SPOOL_BYTES) as spool:
        writer = writer_type(
            feed, spool, compression, columns=integration.config.get("columns") or None
        )
        write_window(
            writer, feed, integration.tenant_id, run.window_start, run.window_end,
            RowCounter(run.pk).count,
        )  # fmt: skip
        result = writer.close()
        upload.upload_part(conn, join_key(folder, name), spool, writer_type.content_type, result)
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
