"""File formats: one module each behind the contract in base.py, found by data_format."""

from __future__ import annotations

from .avro import AvroWriter
from .base import FormatWriter, PartResult, Row
from .csv_gz import CsvGzWriter
from .jsonl_gz import JsonLinesGzWriter
from .parquet import ParquetWriter
from .parts import write_parts
from .protobuf import ProtobufDelimitedWriter, ProtobufSequenceWriter

WRITERS: dict[str, type[FormatWriter]] = {
    writer.data_format: writer
    for writer in (
        CsvGzWriter,
        ParquetWriter,
        JsonLinesGzWriter,
        AvroWriter,
        ProtobufSequenceWriter,
        ProtobufDelimitedWriter,
    )
}


def writer_class(data_format: str) -> type[FormatWriter]:
    return WRITERS[data_format]


__all__ = ["WRITERS", "FormatWriter", "PartResult", "Row", "write_parts", "writer_class"]
