"""Avro object container files through fastavro (seed 004: container_format AVRO)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any, cast

from fastavro import parse_schema
from fastavro.write import Writer

from ..schema.derived import avro_schema
from .base import FormatWriter, Row
from .gzip_member import GZIP_LEVEL

CODECS = {"NONE": "null", "DEFLATE": "deflate", "SNAPPY": "snappy"}
BLOCK_BYTES = 1024 * 1024


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

    def write_rows(self, rows: Iterable[Row]) -> None:
        names, write = self._names, self._writer.write
        for row in rows:
            write(dict(zip(names, row, strict=True)))
            self.rows += 1

    def finish(self) -> None:
        self._writer.flush()
