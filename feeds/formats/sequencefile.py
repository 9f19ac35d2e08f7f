"""Hadoop SequenceFile (version 6) writer; layout and codec framing as in FORMAT-NOTES.md.

Keys are NullWritable (zero bytes); values are BytesWritable (int32 length + payload). With a
codec the file is BLOCK-compressed; without one it is an uncompressed file, since Hadoop has no
BLOCK mode without a codec.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from typing import IO

from isal import igzip, isal_zlib

from .gzip_member import GZIP_LEVEL

KEY_CLASS = "org.apache.hadoop.io.NullWritable"
VALUE_CLASS = "org.apache.hadoop.io.BytesWritable"
CODEC_CLASSES = {
    "DEFLATE": "org.apache.hadoop.io.compress.DefaultCodec",
    "GZIP": "org.apache.hadoop.io.compress.GzipCodec",
    "SNAPPY": "org.apache.hadoop.io.compress.SnappyCodec",
}
BLOCK_BYTES = 1024 * 1024  # Hadoop closes a block at ~1 MB of raw keys + values
SYNC_EVERY_BYTES = 100 * 1024  # uncompressed files: a sync marker so readers can split
SNAPPY_CHUNK = 256 * 1024 - 256 * 1024 // 6 - 32  # Hadoop's reader refuses larger chunks
SYNC_ESCAPE = struct.pack(">i", -1)


def vint(value: int) -> bytes:
    """Hadoop's WritableUtils.writeVLong."""
    if -112 <= value <= 127:
        return struct.pack(">b", value)
    prefix = -112
    if value < 0:
        value, prefix = ~value, -120
    size = (value.bit_length() + 7) // 8
    return struct.pack(">b", prefix - size) + value.to_bytes(size, "big")


def text(value: str) -> bytes:
    data = value.encode()
    return vint(len(data)) + data


def _snappy(data: bytes) -> bytes:
    import cramjam

    out = [struct.pack(">i", len(data))]
    for start in range(0, len(data), SNAPPY_CHUNK):
        chunk = bytes(cramjam.snappy.compress_raw(data[start : start + SNAPPY_CHUNK]))
        out += [struct.pack(">i", len(chunk)), chunk]
    return b"".join(out)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    # ISA-L, as for CSV: Hadoop's zlib and gzip inflaters read its output like any other.
    "DEFLATE": lambda data: isal_zlib.compress(data, GZIP_LEVEL),
    "GZIP": lambda data: igzip.compress(data, GZIP_LEVEL, mtime=0),
    "SNAPPY": _snappy,
}


class SequenceFileWriter:
    def __init__(self, stream: IO[bytes], compression: str) -> None:
        self._out = stream
        self._compress = COMPRESSORS.get(compression)
        self._sync = os.urandom(16)
        self._values: list[bytes] = []
        self._pending = 0  # raw bytes buffered (block) or written since the last sync (plain)
        header = [b"SEQ\x06", text(KEY_CLASS), text(VALUE_CLASS)]
        header.append(
            b"\x01\x01" + text(CODEC_CLASSES[compression]) if self._compress else b"\x00\x00"
        )
        header += [struct.pack(">i", 0), self._sync]  # no metadata
        stream.write(b"".join(header))

    def append(self, payload: bytes) -> None:
        value = struct.pack(">i", len(payload)) + payload  # BytesWritable
        if self._compress:
            self._values.append(value)
            self._pending += len(value)
            if self._pending >= BLOCK_BYTES:
                self._write_block()
            return
        if self._pending >= SYNC_EVERY_BYTES:
            self._out.write(SYNC_ESCAPE + self._sync)
            self._pending = 0
        # record length (key + value), key length, key (empty), value
        record = struct.pack(">ii", len(value), 0) + value
        self._out.write(record)
        self._pending += len(record)

    def _buffer(self, data: bytes) -> bytes:
        compressed = self._compress(data) if self._compress else data
        return vint(len(compressed)) + compressed

    def _write_block(self) -> None:
        if not self._values:
            return
        count = len(self._values)
        self._out.write(
            b"".join(
                (
                    SYNC_ESCAPE + self._sync,
                    vint(count),
                    self._buffer(vint(0) * count),  # key lengths
                    self._buffer(b""),  # keys
                    self._buffer(b"".join(vint(len(v)) for v in self._values)),
                    self._buffer(b"".join(self._values)),
                )
            )
        )
        self._values, self._pending = [], 0

    def close(self) -> None:
        if self._compress:
            self._write_block()
