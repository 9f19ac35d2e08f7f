"""What consumers decode with, derived from columns.py: CSV header, Avro schema, .proto."""

from __future__ import annotations

from functools import cache
from typing import Any

from .columns import COLUMNS, Column

PROTO_PACKAGE = "exporthub.feeds"
AVRO_NAMESPACE = "exporthub.feeds"
PROTO_TYPES = {
    "int64": "int64",
    "int32": "int32",
    "string": "string",
    "timestamp": "int64",
    "decimal": "string",
    "bool": "bool",
}


def message_name(feed: str) -> str:
    return "".join(part.capitalize() for part in feed.split("_"))


def csv_header(feed: str) -> list[str]:
    return [column.public_name for column in COLUMNS[feed]]


def _avro_type(column: Column) -> Any:
    if column.hour_of:
        return {"type": "long", "logicalType": "timestamp-millis"}
    base: Any = {
        "int64": "long",
        "int32": "int",
        "string": "string",
        "bool": "boolean",
        "timestamp": {"type": "long", "logicalType": "timestamp-micros"},
        "decimal": {
            "type": "bytes",
            "logicalType": "decimal",
            "precision": column.precision,
            "scale": column.scale,
        },
    }[column.type]
    return ["null", base] if column.nullable else base


def avro_schema(feed: str) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for column in COLUMNS[feed]:
        field: dict[str, Any] = {
            "name": column.public_name,
            "type": _avro_type(column),
            "doc": column.doc,
        }
        if column.nullable:
            field["default"] = None
        fields.append(field)
    return {
        "type": "record",
        "name": message_name(feed),
        "namespace": AVRO_NAMESPACE,
        "doc": f"One row of the ExportHub {feed} feed.",
        "fields": fields,
    }


def proto_source(feed: str) -> str:
    """The .proto shipped to consumers (proto3; nullable columns are `optional`)."""
    # The header is part of the shipped file, which consumers diff between releases: it keeps
    # its words, and the registry's old place, byte for byte.
    lines = [
        "// Generated from ExportHub's feed registry (feeds/schema/columns.py); do not edit.",
        "// Timestamps are microseconds since the Unix epoch (UTC); decimals are exact strings.",
        'syntax = "proto3";',
        "",
        f"package {PROTO_PACKAGE};",
        "",
        f"// One row of the ExportHub {feed} feed.",
        f"message {message_name(feed)} {{",
    ]
    for number, column in enumerate(COLUMNS[feed], start=1):
        optional = "optional " if column.nullable else ""
        lines.append(f"  // {column.doc}")
        lines.append(f"  {optional}{PROTO_TYPES[column.type]} {column.public_name} = {number};")
    lines.append("}")
    return "\n".join(lines) + "\n"


@cache
def message_class(feed: str) -> Any:
    """The protobuf message class, built at runtime from the same definition (no protoc)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field_types = descriptor_pb2.FieldDescriptorProto
    types = {
        "int64": field_types.TYPE_INT64,
        "int32": field_types.TYPE_INT32,
        "string": field_types.TYPE_STRING,
        "timestamp": field_types.TYPE_INT64,
        "decimal": field_types.TYPE_STRING,
        "bool": field_types.TYPE_BOOL,
    }
    file_proto = descriptor_pb2.FileDescriptorProto(
        name=f"exporthub/{feed}.proto", package=PROTO_PACKAGE, syntax="proto3"
    )
    message = file_proto.message_type.add(name=message_name(feed))
    for number, column in enumerate(COLUMNS[feed], start=1):
        field = message.field.add(
            name=column.public_name,
            number=number,
            type=types[column.type],
            label=field_types.LABEL_OPTIONAL,
        )
        if column.nullable:  # proto3 `optional` is a synthetic one-field oneof
            field.proto3_optional = True
            field.oneof_index = len(message.oneof_decl)
            message.oneof_decl.add(name=f"_{column.public_name}")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_proto)
    descriptor = pool.FindMessageTypeByName(f"{PROTO_PACKAGE}.{message_name(feed)}")
    return message_factory.GetMessageClass(descriptor)
