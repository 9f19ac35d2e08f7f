"""Protobuf messages in Hadoop SequenceFiles (`protobuf`) or length-delimited (`-delimited`).

Python values (SQLite) become messages through upb row by row; binary COPY batches (PostgreSQL)
are encoded a batch at a time by protobuf_records, already framed for the container."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..schema.columns import chosen_columns
from ..schema.derived import message_class
from . import protobuf_records
from .base import FormatWriter, Row
from .columnar import Piece, record_bytes, varint
from .gzip_member import GzipMember
from .sequencefile import SequenceFileWriter
from .values import decimal_text, to_micros

if TYPE_CHECKING:
    from .binary_copy import Batch

# Timestamps as int64 microseconds and decimals as plain text (see columns.py).
PREPARED_TYPES = {"timestamp": "postgres_micros", "decimal": "decimal_text"}


WRITE_CHUNKS = 1000  # lengths and messages joined per write
# Message lengths below 16 KiB (every row we store) cost a list lookup, not a loop.
_SHORT_VARINTS = [varint(length) for length in range(1 << 14)]


class _Messages:
    """Turns rows into serialized messages; nulls are absent `optional` fields."""

    def __init__(self, feed: str, columns: Any) -> None:
        self._cls = message_class(feed)
        converters: dict[str, Callable[[Any], Any]] = {
            "timestamp": to_micros,
            "decimal": decimal_text,
        }
        self._names = [c.public_name for c in columns]
        self._converted = [(i, converters[c.type]) for i, c in enumerate(columns)
                           if c.type in converters]  # fmt: skip

    def serialize(self, row: Row) -> bytes:
        if self._converted:
            values = list(row)
            for index, convert in self._converted:
                if values[index] is not None:
                    values[index] = convert(values[index])
            row = values
        # upb builds a message fastest from keyword arguments without the unset (null) ones.
        fields = {name: value for name, value in zip(self._names, row, strict=True)
                  if value is not None}  # fmt: skip
        return bytes(self._cls(**fields).SerializeToString())


class _ProtobufWriter(FormatWriter):
    prepared_types = PREPARED_TYPES

    def __init__(self, feed: str, stream: IO[bytes], compression: str) -> None:
        super().__init__(feed, stream, compression)
        self._messages = _Messages(feed, self.columns)

    @classmethod
    def encode(cls, feed: str, batch: Batch) -> pa.BinaryArray:
        return protobuf_records.encode(feed, chosen_columns(feed, None), batch, cls.frame)

    @staticmethod
    def frame(lengths: np.ndarray) -> Piece:
        """What precedes each message of a batch, given their lengths."""
        raise NotImplementedError


class ProtobufSequenceWriter(_ProtobufWriter):
    data_format = "protobuf"
    container_format = "SEQUENCE"
    compressions = ("SNAPPY", "DEFLATE", "GZIP", "NONE")

    frame = staticmethod(protobuf_records.bytes_writable)

    def __init__(self, feed: str, stream: IO[bytes], compression: str) -> None:
        super().__init__(feed, stream, compression)
        self._file = SequenceFileWriter(self.out, compression)  # type: ignore[arg-type]

    def write_rows(self, rows: Iterable[Row]) -> None:
        serialize, append = self._messages.serialize, self._file.append
        for row in rows:
            append(serialize(row))
            self.rows += 1

    def write_records(self, records: pa.BinaryArray) -> None:
        self._file.append_values(*record_bytes(records))
        self.rows += len(records)

    def finish(self) -> None:
        self._file.close()


class ProtobufDelimitedWriter(_ProtobufWriter):
    """Each message preceded by its varint length, as Java's writeDelimitedTo."""

    data_format = "protobuf-delimited"
    container_format = "NONE"
    compressions = ("GZIP", "NONE")

    frame = staticmethod(protobuf_records.delimited)

    def __init__(self, feed: str, stream: IO[bytes], compression: str) -> None:
        super().__init__(feed, stream, compression)
        self._gzip = GzipMember(self.out) if compression == "GZIP" else None
        self._sink: Any = self._gzip or self.out

    def write_rows(self, rows: Iterable[Row]) -> None:
        serialize, short = self._messages.serialize, _SHORT_VARINTS
        chunks: list[bytes] = []
        for row in rows:
            message = serialize(row)
            size = len(message)
            chunks += (short[size] if size < len(short) else varint(size), message)
            if len(chunks) >= WRITE_CHUNKS:
                self._flush(chunks)
        self._flush(chunks)

    def write_records(self, records: pa.BinaryArray) -> None:
        data, offsets = record_bytes(records)
        self._sink.write(data[offsets[0] : offsets[-1]])
        self.rows += len(records)

    def _flush(self, chunks: list[bytes]) -> None:
        # One write per few hundred messages: each write through gzip and MD5 has a fixed cost.
        self._sink.write(b"".join(chunks))
        self.rows += len(chunks) // 2
        chunks.clear()

    def finish(self) -> None:
        if self._gzip is not None:
            self._gzip.close()
