"""Reading files back with libraries ExportHub does not use to write them."""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal
from typing import Any, cast

from feeds.formats.values import EPOCH
from feeds.schema.columns import COLUMNS
from feeds.schema.derived import message_class


def read_csv_gz(data: bytes) -> list[list[str]]:
    with gzip.open(io.BytesIO(data), "rt", encoding="utf-8", newline="") as text:
        return list(csv.reader(text))


def read_avro(data: bytes) -> list[dict[str, Any]]:
    from avro.datafile import DataFileReader
    from avro.io import DatumReader

    with DataFileReader(io.BytesIO(data), DatumReader()) as reader:
        return [cast(dict[str, Any], record) for record in reader]


def read_delimited(data: bytes, feed: str) -> list[Any]:
    """protobuf's own varint decoder and parser, as Java's parseDelimitedFrom would read."""
    from google.protobuf.internal.decoder import _DecodeVarint32

    cls, messages, position = message_class(feed), [], 0
    while position < len(data):
        size, position = _DecodeVarint32(data, position)
        messages.append(cls.FromString(data[position : position + size]))
        position += size
    return messages


def message_row(feed: str, message: Any) -> tuple[Any, ...]:
    """A parsed message back as a row: absent optional fields are None."""
    values: list[Any] = []
    for column in COLUMNS[feed]:
        if column.nullable and not message.HasField(column.public_name):
            values.append(None)
            continue
        value = getattr(message, column.public_name)
        if column.type == "timestamp":
            from datetime import timedelta

            value = EPOCH + timedelta(microseconds=value)
        elif column.type == "decimal":
            value = Decimal(value)
        values.append(value)
    return tuple(values)
