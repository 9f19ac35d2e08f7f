"""A raw window or a log-level hour of an `iceberg` integration: Parquet data files under
`<table_path>/data/<partition>/`, then one commit that replaces the window's or hour's partition
with them (an overwrite snapshot: the partition's earlier files out, these in).

Replacing rather than appending is what makes the table exactly once: a retried attempt, a
reprocessing or a late-event generation of the hour leaves each row of the hour in the table
once, the latest generation's; a backfill's windows are partitions of their own. Data files are
named `<run>-<attempt>-<uuid>.parquet`: an attempt that died before its commit left files no
snapshot references, which maintenance removes once the run is over."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.conf import settings
from pyiceberg.manifest import DataFile
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.typedef import Record

from integrations.catalog import file_format
from integrations.destinations.base import Connection
from integrations.models import Integration

from ..formats import PartResult
from ..formats.values import to_micros
from ..models import ExportRun
from ..runs import clock, ledger, upload
from ..runs.progress import RowCounter
from ..runs.reading import hour_rows, write_window
from .commits import ExportCatalog, evolve_schema
from .fileio import ConnectionFileIO
from .schema import is_raw, partition_spec, table_schema
from .writer import IcebergParquetWriter

CHUNK_ROWS = 1000  # rows written between two looks at a data file's size


@dataclass(frozen=True)
class Partition:
    """The window's or hour's partition: its value and its folder under data/."""

    value: int  # identity(window_start): microseconds; hours(event_time): hours since epoch
    folder: str

    @classmethod
    def of(cls, feed: str, start: datetime) -> Partition:
        start = start.astimezone(UTC)
        name = partition_spec(feed).fields[0].name
        if is_raw(feed):
            return cls(to_micros(start), f"{name}={start:%Y-%m-%dT%H-%M-%SZ}")
        return cls(to_micros(start) // 3_600_000_000, f"{name}={start:%Y-%m-%d-%H}")


def open_table(integration: Integration, conn: Connection) -> tuple[Table, ConnectionFileIO]:
    fileio = ConnectionFileIO(conn, integration.destination_class.warehouse_uri(integration.config))
    return ExportCatalog(integration, fileio).ensure(), fileio


def export_window(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """A raw window as one data file (none when the window is empty) and one commit."""
    table, fileio = open_table(integration, conn)
    feed, start = integration.feed, run.window_start.astimezone(UTC)
    _, compression = file_format(integration.config)
    processed_on = clock.now()
    columns = integration.config.get("columns") or None
    files = Files(table, fileio, run, Partition.of(feed, start), table_schema(feed, columns))
    with tempfile.SpooledTemporaryFile(max_size=upload.SPOOL_BYTES) as spool:
        writer = IcebergParquetWriter(
            feed, spool, compression, columns=columns, window_start=start,
        )  # fmt: skip
        write_window(
            writer, feed, integration.tenant_id, run.window_start, run.window_end,
            RowCounter(run.pk), filters=run.filters or [],
        )  # fmt: skip
        writer.close()
        files.add(conn, spool, writer)
    files.commit(run, processed_on)
    return files.outcome(processed_on, run.window_end)


def export_hour(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """A log-level hour as data files of EXPORT_PART_BYTES and one commit, by one worker (an
    iceberg hour is never sliced: docs/exports.md)."""
    table, fileio = open_table(integration, conn)
    feed, compression = integration.feed, integration.config["compression"]
    processed_on, data_cutoff = ledger.begin_attempt(run)
    files = Files(table, fileio, run, Partition.of(feed, run.window_start), table_schema(feed))
    rows, batches = hour_rows(
        IcebergParquetWriter, feed, integration.tenant_id, run.window_start, run.window_end,
        data_cutoff, filters=run.filters or [],
    )  # fmt: skip
    counter = RowCounter(run.pk)
    # Closed here, error or not: on PostgreSQL the hour is read on a connection of its own.
    with contextlib.closing(rows):
        chunks = counter.count_batches(rows) if batches else _chunks(counter.count(rows))
        chunk = next(chunks, None)
        while chunk is not None:
            with tempfile.SpooledTemporaryFile(max_size=upload.SPOOL_BYTES) as spool:
                writer = IcebergParquetWriter(feed, spool, compression)
                # At least one chunk per file, or a limit below the header size never ends.
                while chunk is not None:
                    if batches:
                        writer.write_batch(chunk)
                    else:
                        writer.write_rows(chunk)
                    chunk = next(chunks, None)
                    if writer.bytes_written >= settings.EXPORT_PART_BYTES:
                        break
                writer.close()
                files.add(conn, spool, writer)
            ledger.extend_lease(run)
    # Fencing: only the run's owner commits (a worker that lost its lease stops here).
    ledger.extend_lease(run)
    files.commit(run, processed_on)
    return files.outcome(processed_on, data_cutoff)


def _chunks(rows: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        yield chunk


class Files:
    """The data files one attempt adds to its partition, and the commit replacing it."""

    def __init__(
        self,
        table: Table,
        fileio: ConnectionFileIO,
        run: ExportRun,
        partition: Partition,
        schema: Schema,
    ) -> None:
        self.table, self.fileio, self.run, self.partition = table, fileio, run, partition
        self.schema = schema  # the data files' columns, which the commit's schema must hold
        self.folder = f"{table.metadata.location}/data/{partition.folder}"
        self.added: list[DataFile] = []
        self.listed: list[dict[str, Any]] = []
        self.rows = 0

    def add(self, conn: Connection, spool: Any, writer: IcebergParquetWriter) -> None:
        """Upload a closed data file (an empty one is not added) as a log-level part is
        (upload.upload_part): what its writer freed goes back to the system first, which it
        otherwise kept through the upload's own memory (~10 MB of the 1 M-row hour's peak, bench/),
        and a spool giving back other bytes than were written is an error."""
        if writer.rows == 0:
            return
        size, md5 = writer.out.size, writer.out.md5
        name = f"{self.run.pk}-{self.run.attempts}-{uuid.uuid4().hex}.parquet"
        location = f"{self.folder}/{name}"
        written = PartResult(rows=writer.rows, bytes=size, md5=md5)
        upload.upload_part(conn, self.fileio.key(location), spool, writer.content_type, written)
        spec_id = self.table.metadata.default_spec_id
        self.added.append(writer.data_file(location, size, Record(self.partition.value), spec_id))
        self.listed.append({"name": name, "bytes": size, "md5": md5})
        self.rows += writer.rows

    def current(self) -> list[DataFile]:
        """The partition's files in the current snapshot."""
        snapshot = self.table.current_snapshot()
        if snapshot is None:
            return []
        io, found = self.table.io, []
        for manifest in snapshot.manifests(io):
            for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
                data_file = entry.data_file
                if data_file.partition[0] == self.partition.value:
                    found.append(data_file)
        return found

    def commit(self, run: ExportRun, processed_on: datetime) -> None:
        """One snapshot: the partition's files replaced by this attempt's."""
        properties = {
            "exporthub.run-id": str(run.pk),
            "exporthub.window-start": run.window_start.astimezone(UTC).isoformat(),
            "exporthub.processed-on": processed_on.astimezone(UTC).isoformat(),
        }
        with self.table.transaction() as txn:
            evolve_schema(txn, self.schema)
            with txn.update_snapshot(snapshot_properties=properties).overwrite() as snapshot:
                for data_file in self.current():
                    snapshot.delete_data_file(data_file)
                for data_file in self.added:
                    snapshot.append_data_file(data_file)

    def outcome(self, processed_on: datetime, data_cutoff: datetime) -> ledger.Outcome:
        return ledger.Outcome(
            rows=self.rows, bytes=sum(f["bytes"] for f in self.listed), files=self.listed,
            path="/" + self.fileio.key(self.folder), manifest="", processed_on=processed_on,
            data_cutoff=data_cutoff,
        )  # fmt: skip
