"""CSV (header row, UTF-8, RFC 4180 quoting) compressed with gzip: the raw feeds' files (seed 000).

Values are written as they are: no spreadsheet-formula escaping, since the readers are data
pipelines, not spreadsheets. A null and an empty string are both an empty field. Records end
with LF, as PostgreSQL's COPY writes them (the fast path below); CSV readers accept it.
Compression: gzip_member (ISA-L's deflate at level 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .base import FormatWriter, Row
from .gzip_member import GzipMember
from .values import csv_text

TEXT_BATCH_ROWS = 2000


class CsvGzWriter(FormatWriter):
    data_format = "csv"
    container_format = "NONE"
    compressions = ("GZIP",)
    extension = "csv.gz"
    content_type = "application/gzip"

    def start(self) -> None:
        self._gzip = GzipMember(self.out)
        self._text = io.StringIO()
        self._csv = csv.writer(self._text, lineterminator="\n")
        self._csv.writerow([column.public_name for column in self.columns])

    def write_rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            fields = [csv_text(value) for value in row]
            if any("\r" in field for field in fields):
                self._write_with_cr(fields)
            else:
                self._csv.writerow(fields)
            self.rows += 1
            if self.rows % TEXT_BATCH_ROWS == 0:
                self._flush_text()
        self._flush_text()

    def _write_with_cr(self, fields: list[str]) -> None:
        """Python's csv quotes only line-terminator characters; a CR must be quoted too (as
        PostgreSQL does), so such rare rows go through a CRLF writer, then end with LF."""
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(fields)
        self._text.write(text.getvalue()[:-2] + "\n")

    def write_text(self, data: bytes | bytearray | memoryview, rows: int = 0) -> None:
        """Append CSV records already encoded the same way (PostgreSQL's COPY … CSV)."""
        self._flush_text()
        self._gzip.write(data)
        self.rows += rows

    def _flush_text(self) -> None:
        text = self._text.getvalue()
        if text:
            self._gzip.write(text.encode())
            self._text.seek(0)
            self._text.truncate()

    def finish(self) -> None:
        self._flush_text()
        self._gzip.close()
