"""A reader of Apache Iceberg tables that follows the spec by hand, sharing no code with the
export or with pyiceberg: `metadata/version-hint.text` -> `vN.metadata.json` -> the current
snapshot's manifest list (Avro) -> its manifests (Avro) -> the live data files (Parquet).

It reads from a plain mapping of object keys to bytes (a bucket's listing), given the table's
location URI and the URI of the bucket's root."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq

DELETED = 2  # manifest entry status: 0 existing, 1 added, 2 deleted


@dataclass(frozen=True)
class SpecTable:
    metadata: dict[str, Any]
    snapshot: dict[str, Any] | None
    data_files: list[dict[str, Any]]  # the live entries' data_file records
    keys: list[str]  # their object keys


def _records(avro: bytes) -> list[dict[str, Any]]:
    return [record for record in fastavro.reader(io.BytesIO(avro)) if isinstance(record, dict)]


def _key(uri: str, root: str) -> str:
    assert uri.startswith(root + "/"), (uri, root)
    return uri.removeprefix(root + "/")


def read_spec_table(objects: Mapping[str, bytes], root: str, table_key: str) -> SpecTable:
    version = objects[f"{table_key}/metadata/version-hint.text"].decode().strip()
    metadata = json.loads(objects[f"{table_key}/metadata/v{version}.metadata.json"])
    assert metadata["format-version"] == 2
    current = metadata.get("current-snapshot-id")
    snapshot = next((s for s in metadata.get("snapshots", []) if s["snapshot-id"] == current), None)
    if snapshot is None:
        return SpecTable(metadata, None, [], [])
    entries: list[dict[str, Any]] = []
    manifest_list = objects[_key(snapshot["manifest-list"], root)]
    for manifest in _records(manifest_list):
        assert manifest["content"] == 0  # data manifests only: the export writes no deletes
        for entry in _records(objects[_key(manifest["manifest_path"], root)]):
            if entry["status"] != DELETED:
                entries.append(entry["data_file"])
    keys = [_key(entry["file_path"], root) for entry in entries]
    return SpecTable(metadata, snapshot, entries, keys)


def read_rows(objects: Mapping[str, bytes], table: SpecTable) -> pa.Table:
    """The live data files' rows, columns named by the current schema through the files'
    field ids (as the spec says engines match them)."""
    schema = next(s for s in table.metadata["schemas"]
                  if s["schema-id"] == table.metadata["current-schema-id"])  # fmt: skip
    names = {field["id"]: field["name"] for field in schema["fields"]}
    pieces = []
    for key in table.keys:
        data = pq.read_table(io.BytesIO(objects[key]))
        ids = [int(field.metadata[b"PARQUET:field_id"]) for field in data.schema]
        pieces.append(data.rename_columns([names[i] for i in ids]))
    return pa.concat_tables(pieces) if pieces else pa.table({})
