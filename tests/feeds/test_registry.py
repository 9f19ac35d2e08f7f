"""Every feed is defined once; CSV header, Avro schema and .proto derive from that definition."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2

from feeds.formats import WRITERS
from feeds.schema.columns import COLUMNS
from feeds.schema.derived import avro_schema, csv_header, message_class
from feeds.schema.published import expected_files
from integrations.catalog import FEEDS, FORMAT_COMPRESSIONS


def test_the_standard_feed_is_a_rich_log_level_feed() -> None:
    columns = COLUMNS["standard_feed"]
    assert len(columns) >= 25
    assert {c.type for c in columns} == {"int64", "int32", "string", "timestamp", "decimal", "bool"}
    assert any(c.nullable for c in columns)


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_the_csv_header_lists_the_columns(feed: str) -> None:
    assert csv_header(feed) == [c.public_name for c in COLUMNS[feed]]


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_the_avro_schema_is_valid_for_the_reference_library(feed: str) -> None:
    import avro.schema

    schema = avro.schema.parse(json.dumps(avro_schema(feed)))
    assert [field.name for field in schema.fields] == csv_header(feed)  # type: ignore[attr-defined]


def test_the_shipped_files_match_the_registry() -> None:
    for path, content in expected_files().items():
        assert path.read_text() == content, f"{path.name} is stale: run manage.py write_schemas"


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_protoc_compiles_the_shipped_proto_to_the_runtime_message(
    feed: str, tmp_path: Path
) -> None:
    proto = next(path for path in expected_files() if path.name == f"{feed}.proto")
    out = tmp_path / "set.pb"
    protoc = [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto.parent}"]
    subprocess.run([*protoc, f"--descriptor_set_out={out}", proto.name], check=True)
    compiled = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0].message_type[0]
    runtime = descriptor_pb2.DescriptorProto()
    message_class(feed).DESCRIPTOR.CopyToProto(runtime)

    def fields(m: descriptor_pb2.DescriptorProto) -> list[tuple[str, int, int, bool]]:
        return [(f.name, f.number, f.type, f.proto3_optional) for f in m.field]

    assert compiled.name == runtime.name
    assert fields(compiled) == fields(runtime)


def test_the_catalog_offers_exactly_what_the_writers_write() -> None:
    from feeds.iceberg.writer import IcebergParquetWriter  # the table's own data files

    writers: dict[str, Any] = {**WRITERS, "iceberg": IcebergParquetWriter}
    for data_format, compressions in FORMAT_COMPRESSIONS.items():
        assert set(compressions) == set(writers[data_format].compressions)
