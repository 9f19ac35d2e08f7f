"""Avro object container files through fastavro (seed 004: container_format AVRO)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import IO, Any, cast

from fastavro import parse_schema
from fastavro.write import Writer
from isal import isal_zlib

from ..schema.derived import avro_schema
from . import avro_records
from .base import FormatWriter, Row
from .gzip_member import GZIP_LEVEL
from .protobuf import varint

CODECS = {"NONE": "null", "DEFLATE": "deflate", "SNAPPY": "snappy"}
BLOCK_BYTES = 1024 * 1024
# Rows encoded at once: large enough that numpy's per-call cost is spread thin, small enough
# that the arrays stay in the CPU's cache (~1.2 MB of records for the standard feed).
ENCODE_ROWS = 5_000


class AvroWriter(FormatWriter):
    data_format = "avro"
    container_format = "AVRO"
    compressions = ("DEFLATE", "SNAPPY", "NONE")
    # fastavro passes an int timestamp-micros and a bytes decimal through as they are, and
    # converting a Decimal is the dearest part of writing a record.
    prepared_types = {"timestamp": "epoch_micros", "decimal": "unscaled_bytes"}

    def __init__(
        self, feed: str, stream: IO[bytes], compression: str, *, prepared: bool = False
    ) -> None:
        super().__init__(feed, stream, compression, prepared=prepared)
        self._names = [column.name for column in self.columns]
        self._writer = Writer(
            cast(Any, self.out),
            parse_schema(avro_schema(feed)),
            codec=CODECS[compression],
            sync_interval=BLOCK_BYTES,
            # zlib's level 1, as every deflate we write (gzip_member): a third of level 6's time.
            compression_level=GZIP_LEVEL if compression == "DEFLATE" else None,
        )

        # Prepared rows (PostgreSQL) are encoded a batch at a time, column by column
        # (avro_records); Python values (SQLite) go through fastavro record by record.
        self._prepared = prepared
        self._waiting: list[Row] = []  # rows not encoded yet
        self._block = bytearray()  # encoded records of the block being filled
        self._block_rows = 0

    def write_rows(self, rows: Iterable[Row]) -> None:
        if self._prepared:
            batch = rows if isinstance(rows, list) else list(rows)
            for first in range(0, len(batch), ENCODE_ROWS):  # a whole hour handed at once too
                self._waiting += batch[first : first + ENCODE_ROWS]
                if len(self._waiting) >= ENCODE_ROWS:
                    self._encode()
            return
        names, write = self._names, self._writer.write
        for row in rows:
            write(dict(zip(names, row, strict=True)))
            self.rows += 1

    def _encode(self) -> None:
        self._block += avro_records.encode(self.columns, self._waiting)
        self._block_rows += len(self._waiting)
        self.rows += len(self._waiting)
        self._waiting.clear()
        if len(self._block) >= BLOCK_BYTES:
            self._write_block()

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
        if self._waiting:
            self._encode()
        if self._block_rows:
            self._write_block()
        self._writer.flush()


def _long(count: int) -> bytes:
    """Avro's long for a count: the zig-zag of a non-negative n is 2n, as an unsigned varint."""
    return varint(count << 1)
