"""Daily upkeep of every Iceberg table: snapshots older than ICEBERG_SNAPSHOT_RETENTION_DAYS
expire (one commit through our catalog; the current snapshot always stays), then every file
under the table's data/ and metadata/ that neither a kept snapshot nor the current metadata
references is removed: those only expired snapshots used, and those an attempt uploaded before
it failed to commit.

Snapshot times are the commits' wall-clock times, so the cut-off is too. Unreferenced files
are only removed while none of the integration's runs is running, since a running attempt's
files are unreferenced until its commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from pyiceberg.table import Table

from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration, State

from ..models import ExportRun, IcebergTable
from .commits import HINT
from .export import open_table
from .fileio import ConnectionFileIO

logger = logging.getLogger(__name__)


def maintain_tables(now: datetime) -> int:
    """Every active integration's table; the number of files removed."""
    removed = 0
    before = now - timedelta(days=settings.ICEBERG_SNAPSHOT_RETENTION_DAYS)
    tables = IcebergTable.objects.filter(integration__state=State.ACTIVE)
    for row in tables.select_related("integration__tenant"):
        integration = row.integration
        if integration.config.get("format") != "iceberg":
            continue  # the table stays as it was when the admin chose another format
        conn: Connection | None = None
        try:
            conn = integration.connect()
            removed += maintain(integration, conn, before)
        except DestinationError:
            continue  # tomorrow tries again; export failures handle deactivation
        except Exception:
            # Manifests are read back from the tenant's bucket, which the tenant may rewrite:
            # a table that cannot be read is skipped, never the end of every other table's upkeep.
            logger.exception("upkeep of the Iceberg table of integration %s failed", integration.pk)
            continue
        finally:
            if conn is not None:
                conn.close()
    return removed


def maintain(integration: Integration, conn: Connection, before: datetime) -> int:
    table, fileio = open_table(integration, conn)
    current = table.current_snapshot()
    cutoff = before.timestamp() * 1000
    expired = [
        snapshot.snapshot_id
        for snapshot in table.metadata.snapshots
        if snapshot.timestamp_ms < cutoff and (current is None or snapshot != current)
    ]
    if expired:
        table.maintenance.expire_snapshots().by_ids(expired).commit()
        table = table.refresh()
    running = ExportRun.objects.filter(
        integration_id=integration.pk, status=ExportRun.Status.RUNNING
    ).exists()
    if running:
        return 0
    return _remove_unreferenced(table, fileio)


def _referenced(table: Table) -> set[str]:
    """Every file the table's kept snapshots and its metadata name."""
    io, metadata = table.io, table.metadata
    names = {entry.metadata_file for entry in metadata.metadata_log}
    names.add(table.metadata_location)
    manifests: set[str] = set()
    for snapshot in metadata.snapshots:
        names.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(io):
            if manifest.manifest_path in manifests:
                continue
            manifests.add(manifest.manifest_path)
            for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
                names.add(entry.data_file.file_path)
    return names | manifests


def _remove_unreferenced(table: Table, fileio: ConnectionFileIO) -> int:
    referenced = _referenced(table)
    location = table.metadata.location
    removed = 0
    for folder in ("data/", "metadata/"):
        listed: Iterable[str] = [info.key for info in fileio.list(f"{location}/{folder}")]
        for key in listed:
            uri = fileio.uri(key)
            if uri in referenced or key.endswith(f"/metadata/{HINT}"):
                continue
            fileio.conn.delete(key)
            removed += 1
    return removed
