"""CSV (header row, UTF-8, RFC 4180 quoting) compressed with gzip: the raw feeds' files (seed 000).

Values are written as they are: no spreadsheet-formula escaping, since the readers are data
pipelines, not spreadsheets. A null and an empty string are both an empty field.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from typing import IO

from ..schemas import csv_header
from .base import FormatWriter, Row
from .values import csv_text


class CsvGzWriter(FormatWriter):
    data_format = "csv"
    container_format = "NONE"
    compressions = ("GZIP",)

    def __init__(self, feed: str, stream: IO[bytes], compression: str = "GZIP") -> None:
        super().__init__(feed, stream, compression)
        # mtime=0: the same rows always give the same bytes (and MD5).
        self._gzip = gzip.GzipFile(fileobj=self.out, mode="wb", compresslevel=6, mtime=0)
        self._text = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._csv.writerow(csv_header(feed))

    def write_rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self._csv.writerow([csv_text(value) for value in row])
            self.rows += 1

    def finish(self) -> None:
        self._text.flush()
        self._text.detach()
        self._gzip.close()
