"""The contract of a file format: write rows to a binary stream, report rows, bytes and MD5."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from ..schema.columns import Column, chosen_columns

if TYPE_CHECKING:
    from .binary_copy import Batch

# Values in column order: int, str, Decimal, aware datetime, bool or None.
Row = Sequence[Any]


@dataclass(frozen=True)
class PartResult:
    rows: int
    bytes: int
    md5: str


class DigestStream:
    """Passes writes through to a stream, counting and MD5-hashing exactly those bytes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        # The checksum manifests declare, not a security measure.
        self._md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0

    def write(self, data: bytes) -> int:
        self._md5.update(data)
        self.size += len(data)
        self._stream.write(data)
        return len(data)

    def flush(self) -> None:
        self._stream.flush()

    def tell(self) -> int:
        return self.size

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    @property
    def md5(self) -> str:
        return self._md5.hexdigest()


class FormatWriter:
    """Writes one file (part) of one feed; the stream stays open for the caller."""

    data_format: ClassVar[str]
    container_format: ClassVar[str]
    compressions: ClassVar[tuple[str, ...]]
    # A raw window's file is named {YYYY-MM-DD-hh-mm}.{extension} (seed 000 for CSV.gz).
    extension: ClassVar[str] = ""
    content_type: ClassVar[str] = "application/octet-stream"
    # How PostgreSQL hands this writer timestamps and decimals (reading.EXPRESSIONS) when it
    # takes rows as binary COPY batches (`encode`, `write_records`); empty: Python values only.
    prepared_types: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        feed: str,
        stream: IO[bytes],
        compression: str | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> None:
        compression = compression or self.compressions[0]  # the format's default
        if compression not in self.compressions:
            raise ValueError(f"{self.data_format} cannot be compressed with {compression}.")
        self.feed, self.compression = feed, compression
        # All of the feed's columns, or those a raw feed's admin chose (`config.columns`).
        self.columns: tuple[Column, ...] = chosen_columns(feed, columns)
        self.out = DigestStream(stream)
        self.rows = 0
        self.start()

    def start(self) -> None:
        """Set up what the format writes with (header, compressor, library writer)."""

    def write_rows(self, rows: Iterable[Row]) -> None:
        raise NotImplementedError

    @classmethod
    def encode(cls, feed: str, batch: Batch) -> pa.BinaryArray:
        """One encoded record per row of a binary COPY batch (writers with prepared_types)."""
        raise NotImplementedError(f"{cls.data_format} takes Python values only.")

    def write_records(self, records: pa.BinaryArray) -> None:
        """Records `encode` made, in order."""
        raise NotImplementedError(f"{self.data_format} takes Python values only.")

    def write_text(self, data: bytes | bytearray | memoryview, rows: int = 0) -> None:
        """Records already rendered in the format's text by the database (CSV, JSON Lines)."""
        raise NotImplementedError(f"{self.data_format} takes no rendered text.")

    def write_batch(self, batch: Batch) -> None:
        """The rows of a binary COPY batch of the writer's columns (prepared_types)."""
        raise NotImplementedError(f"{self.data_format} takes no COPY batches.")

    def finish(self) -> None:
        """Write trailers and flush buffered data into `self.out`."""
        raise NotImplementedError

    def close(self) -> PartResult:
        self.finish()
        return PartResult(rows=self.rows, bytes=self.out.size, md5=self.out.md5)

    @property
    def bytes_written(self) -> int:
        """Bytes emitted so far (buffered data not yet counted), for splitting into parts."""
        return self.out.size

    @classmethod
    def feed_properties(cls, compression: str) -> dict[str, str]:
        """The manifest's `feed_properties` (seed 004)."""
        return {
            "compression_type": compression,
            "container_format": cls.container_format,
            "data_format": cls.data_format,
            "checksum_type": "MD5",
        }
