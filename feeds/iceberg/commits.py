"""Our own Iceberg catalog: the IcebergTable row is the source of truth for the current metadata
file, and every commit of one table is serialised by a lock on that row.

A commit, under the row lock: the requirements are checked against the row's metadata (another
commit in between fails this one, which is retried), the new `vN.metadata.json` is written, the
row is updated, then `version-hint.text` says N; the database transaction ends last. A commit
that fails at any step leaves the row, and so the current snapshot, as it was. Readers without
our service (Spark's Hadoop catalog, DuckDB) follow `version-hint.text`."""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from pyiceberg.catalog.noop import NoopCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.schema import Schema
from pyiceberg.table import CommitTableResponse, Table, Transaction
from pyiceberg.table.metadata import TableMetadata, TableMetadataUtil, TableMetadataV2
from pyiceberg.table.sorting import UNSORTED_SORT_ORDER
from pyiceberg.table.update import TableRequirement, TableUpdate, update_table_metadata
from pyiceberg.table.update.schema import UpdateSchema
from typing_extensions import override

from integrations.models import Integration
from integrations.paths import join_key

from ..models import IcebergTable
from .fileio import ConnectionFileIO
from .schema import partition_spec, table_schema

VERSION_RE = re.compile(r"/v(\d+)\.metadata\.json$")
HINT = "version-hint.text"


def table_location(integration: Integration) -> str:
    root = integration.destination_class.warehouse_uri(integration.config)
    return f"{root}/{join_key(integration.config['table_path'])}"


def _version(metadata_location: str) -> int:
    found = VERSION_RE.search(metadata_location)
    return int(found.group(1)) if found else 0


def _dump(metadata: TableMetadata) -> bytes:
    return metadata.model_dump_json(exclude_none=True).encode()


class _RegistryIds(UpdateSchema):
    """pyiceberg's schema update, adding each column under the field id it has in the data
    files (its registry id, schema.py) instead of the table's next free id."""

    def __init__(self, transaction: Transaction, ids: list[int]) -> None:
        super().__init__(transaction)
        self._ids = iter(ids)

    @override
    def assign_new_column_id(self) -> int:
        return next(self._ids)


def evolve_schema(transaction: Transaction, written: Schema) -> None:
    """Make the table's schema hold the columns of the data files this commit adds: a column
    new to the table is added (optional: earlier files have no value for it), a column no
    longer written becomes optional and stays; nothing changes when the columns are the same.
    Staged in the commit's transaction, so a window's schema change and its rows are one
    snapshot, and a concurrent schema change fails the commit (AssertCurrentSchemaId)."""
    current = transaction.table_metadata.schema()
    known, wanted = set(current.field_ids), set(written.field_ids)
    added = [field for field in written.fields if field.field_id not in known]
    dropped = [f for f in current.fields if f.field_id not in wanted and f.required]
    if not added and not dropped:
        return
    with _RegistryIds(transaction, [field.field_id for field in added]) as update:
        for field in added:
            update.add_column(field.name, field.field_type, doc=field.doc, required=False)
        for field in dropped:
            update.make_column_optional(field.name)


class ExportCatalog(NoopCatalog):
    """One integration's table; only commits and loads are ours to answer."""

    def __init__(self, integration: Integration, fileio: ConnectionFileIO) -> None:
        super().__init__("exporthub")
        self.integration, self.fileio = integration, fileio
        self.location = table_location(integration)

    def _locked_row(self) -> IcebergTable | None:
        return (
            IcebergTable.objects.select_for_update()
            .filter(tenant_id=self.integration.tenant_id, integration_id=self.integration.pk)
            .first()
        )

    def _publish(
        self, row: IcebergTable | None, metadata: TableMetadata, version: int
    ) -> tuple[IcebergTable, str]:
        """Write vN.metadata.json, make it the row's, then the hint (inside the row's lock)."""
        location = f"{self.location}/metadata/v{version}.metadata.json"
        data = _dump(metadata)
        self.fileio.conn.write(self.fileio.key(location), io.BytesIO(data), "application/json")
        if row is None:
            row = IcebergTable(tenant_id=self.integration.tenant_id, integration=self.integration)
        row.table_uuid = metadata.table_uuid
        row.metadata_location, row.metadata = location, json.loads(data)
        row.committed_at = timezone.now()
        row.save()
        hint = self.fileio.key(f"{self.location}/metadata/{HINT}")
        self.fileio.conn.write(hint, io.BytesIO(str(version).encode()), "text/plain")
        return row, location

    def ensure(self) -> Table:
        """The table, created (v1, no snapshot) when the integration has none at its table
        path yet; a changed table path starts a new table there."""
        with transaction.atomic():
            row = self._locked_row()
            if row is not None and row.metadata_location.startswith(self.location + "/metadata/"):
                return self._table(row)
            row, _ = self._publish(row, self._new_metadata(), 1)
            return self._table(row)

    def _new_metadata(self) -> TableMetadata:
        """Format v2 metadata with no snapshot, keeping our field ids (pyiceberg's
        new_table_metadata would number the columns afresh)."""
        feed, columns = self.integration.feed, self.integration.config.get("columns") or None
        schema, spec = table_schema(feed, columns), partition_spec(feed)
        return TableMetadataV2.model_validate(
            {
                "location": self.location,
                "table-uuid": uuid.uuid4(),
                "schemas": [schema],
                "current-schema-id": schema.schema_id,
                "last-column-id": schema.highest_field_id,
                "partition-specs": [spec],
                "default-spec-id": spec.spec_id,
                "last-partition-id": spec.last_assigned_field_id,
                "sort-orders": [UNSORTED_SORT_ORDER],
                "default-sort-order-id": UNSORTED_SORT_ORDER.order_id,
                "properties": {},
            }
        )

    def _table(self, row: IcebergTable) -> Table:
        metadata = TableMetadataUtil.parse_obj(row.metadata)
        return Table(
            ("exporthub", f"integration_{self.integration.pk}"), metadata=metadata,
            metadata_location=row.metadata_location, io=self.fileio, catalog=self,
        )  # fmt: skip

    @override
    def load_table(self, identifier: Any) -> Table:
        row = IcebergTable.objects.get(
            tenant_id=self.integration.tenant_id, integration_id=self.integration.pk
        )
        return self._table(row)

    @override
    def commit_table(
        self,
        table: Table,
        requirements: tuple[TableRequirement, ...],
        updates: tuple[TableUpdate, ...],
    ) -> CommitTableResponse:
        with transaction.atomic():
            row = self._locked_row()
            if row is None:
                raise CommitFailedException("The table is gone.")
            base = TableMetadataUtil.parse_obj(row.metadata)
            for requirement in requirements:
                requirement.validate(base)  # CommitFailedException when another commit won
            updated = update_table_metadata(base, updates, metadata_location=row.metadata_location)
            _, location = self._publish(row, updated, _version(row.metadata_location) + 1)
        return CommitTableResponse.model_validate(
            {"metadata": updated, "metadata-location": location}
        )
