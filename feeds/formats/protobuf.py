"""Protobuf messages in Hadoop SequenceFiles (`protobuf`) or length-delimited (`-delimited`)."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from typing import IO, Any

from ..schemas import message_class
from .base import FormatWriter, Row
from .sequencefile import SequenceFileWriter
from .values import decimal_text, to_micros


def varint(value: int) -> bytes:
    """Unsigned base-128 varint, as CodedOutputStream writes a message length."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class _Messages:
    """Turns rows into serialized messages; nulls are absent `optional` fields."""

    def __init__(self, feed: str, columns: Any) -> None:
        self._cls = message_class(feed)
        converters: dict[str, Callable[[Any], Any]] = {
            "timestamp": to_micros,
            "decimal": decimal_text,
        }
        self._fields = [(c.name, converters.get(c.type)) for c in columns]

    def serialize(self, row: Row) -> bytes:
        values = {
            name: (convert(value) if convert else value)
            for (name, convert), value in zip(self._fields, row, strict=True)
            if value is not None
        }
        return bytes(self._cls(**values).SerializeToString())


class ProtobufSequenceWriter(FormatWriter):
    data_format = "protobuf"
    container_format = "SEQUENCE"
    compressions = ("SNAPPY", "DEFLATE", "GZIP", "NONE")

    def __init__(self, feed: str, stream: IO[bytes], compression: str) -> None:
        super().__init__(feed, stream, compression)
        self._messages = _Messages(feed, self.columns)
        self._file = SequenceFileWriter(self.out, compression)  # type: ignore[arg-type]

    def write_rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self._file.append(self._messages.serialize(row))
            self.rows += 1

    def finish(self) -> None:
        self._file.close()


class ProtobufDelimitedWriter(FormatWriter):
    """Each message preceded by its varint length, as Java's writeDelimitedTo."""

    data_format = "protobuf-delimited"
    container_format = "NONE"
    compressions = ("GZIP", "NONE")

    def __init__(self, feed: str, stream: IO[bytes], compression: str) -> None:
        super().__init__(feed, stream, compression)
        self._messages = _Messages(feed, self.columns)
        self._gzip = (
            gzip.GzipFile(fileobj=self.out, mode="wb", compresslevel=6, mtime=0)
            if compression == "GZIP"
            else None
        )
        self._sink: Any = self._gzip or self.out

    def write_rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            message = self._messages.serialize(row)
            self._sink.write(varint(len(message)) + message)
            self.rows += 1

    def finish(self) -> None:
        if self._gzip is not None:
            self._gzip.close()
