"""Avro object container files (seed 004: container_format AVRO).

Python values (SQLite) go through fastavro record by record. On PostgreSQL the rows come as
binary COPY batches, whose records avro_records encodes a batch at a time; blocks of them are then
framed here (record count, byte size, data, the file's sync marker) with fastavro's header and
sync marker, deflate through ISA-L and snappy through fastavro's own block writer.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa
from fastavro import parse_schema
from fastavro.write import Writer
from isal import isal_zlib

from ..schema.columns import chosen_columns
from ..schema.derived import avro_schema
from . import avro_records
from .base import FormatWriter, Row
from .columnar import record_bytes, varint
from .gzip_member import GZIP_LEVEL

if TYPE_CHECKING:
    from .binary_copy import Batch

CODECS = {"NONE": "null", "DEFLATE": "deflate", "SNAPPY": "snappy"}
BLOCK_BYTES = 1024 * 1024


class AvroWriter(FormatWriter):
    data_format = "avro"
    container_format = "AVRO"
    compressions = ("DEFLATE", "SNAPPY", "NONE")
    # Timestamps as PostgreSQL's own binary microseconds (avro_records adds the epoch) and a
    # decimal's unscaled value as eight big-endian bytes (a valid Avro decimal as they are).
    prepared_types = {"timestamp": "postgres_micros", "decimal": "unscaled_bytes"}

    def __init__(self, feed: str, stream: IO[bytes], compression: str) -> None:
        super().__init__(feed, stream, compression)
        self._names = [column.public_name for column in self.columns]
        self._writer = Writer(
            cast(Any, self.out),
            parse_schema(avro_schema(feed)),
            codec=CODECS[compression],
            sync_interval=BLOCK_BYTES,
            # zlib's level 1, as every deflate we write (gzip_member): a third of level 6's time.
            compression_level=GZIP_LEVEL if compression == "DEFLATE" else None,
        )
        self._block = bytearray()  # encoded records of the block being filled
        self._block_rows = 0

    def write_rows(self, rows: Iterable[Row]) -> None:
        names, write = self._names, self._writer.write
        for row in rows:
            write(dict(zip(names, row, strict=True)))
            self.rows += 1

    @classmethod
    def encode(cls, feed: str, batch: Batch) -> pa.BinaryArray:
        return avro_records.encode(chosen_columns(feed, None), batch)

    def write_records(self, records: pa.BinaryArray) -> None:
        data, offsets = record_bytes(records)
        first, count = 0, len(records)
        while first < count:
            # As many whole records as fill the block, at least one.
            room = offsets[first] + BLOCK_BYTES - len(self._block)
            last = max(int(np.searchsorted(offsets, room, side="right")) - 1, first + 1)
            last = min(last, count)
            self._block += data[offsets[first] : offsets[last]]
            self._block_rows += last - first
            self.rows += last - first
            if len(self._block) >= BLOCK_BYTES:
                self._write_block()
            first = last

    def _write_block(self) -> None:
        """One block of the container: record count, the records' size and compressed bytes
        (deflate through ISA-L, other codecs through fastavro's own), the file's sync marker."""
        self.out.write(_long(self._block_rows))
        if self.compression == "DEFLATE":
            # Raw deflate as the Avro spec has it (~7x zlib's level 1 here); any inflater reads
            # it, as it reads fastavro's zlib output.
            data = isal_zlib.compress(self._block, GZIP_LEVEL, -zlib.MAX_WBITS)
            self.out.write(_long(len(data)))
            self.out.write(data)
        else:
            self._writer.block_writer(self.out, bytes(self._block), self._writer.compression_level)
        self.out.write(cast(Any, self._writer).sync_marker)  # not in fastavro's type stubs
        self._block.clear()
        self._block_rows = 0

    def finish(self) -> None:
        if self._block_rows:
            self._write_block()
        self._writer.flush()


def _long(count: int) -> bytes:
    """Avro's long for a count: the zig-zag of a non-negative n is 2n, as an unsigned varint."""
    return varint(count << 1)
