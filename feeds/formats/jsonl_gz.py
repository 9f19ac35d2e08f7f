"""JSON Lines compressed with gzip for the raw feeds: one object per event, its values as the
ingestion API takes them (ISO 8601 UTC timestamps with microseconds, decimals as strings so no
digit is lost, true/false, null), compact (no spaces), non-ASCII as it is.

On PostgreSQL the database renders the lines itself (reading.json_copy_statement, `write_text`);
SQLite's Python values are encoded here, to the same text."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .base import FormatWriter, Row
from .gzip_member import GzipMember
from .values import decimal_text

BATCH_ROWS = 2000


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Decimal):
        return decimal_text(value)
    return value


class JsonLinesGzWriter(FormatWriter):
    data_format = "jsonl"
    container_format = "NONE"
    compressions = ("GZIP",)
    extension = "jsonl.gz"
    content_type = "application/gzip"

    def start(self) -> None:
        self._gzip = GzipMember(self.out)
        self._names = [column.public_name for column in self.columns]
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def write_rows(self, rows: Iterable[Row]) -> None:
        lines: list[str] = []
        for row in rows:
            record = {name: json_value(v) for name, v in zip(self._names, row, strict=True)}
            lines.append(self._encode(record))
            self.rows += 1
            if len(lines) == BATCH_ROWS:
                self._write(lines)
                lines = []
        self._write(lines)

    def write_text(self, data: bytes | bytearray | memoryview, rows: int = 0) -> None:
        """Append lines already rendered the same way (PostgreSQL's row_to_json, reading)."""
        self._gzip.write(data)
        self.rows += rows

    def _write(self, lines: list[str]) -> None:
        if lines:
            self._gzip.write(("\n".join(lines) + "\n").encode())

    def finish(self) -> None:
        self._gzip.close()
