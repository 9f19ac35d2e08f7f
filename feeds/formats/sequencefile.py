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

import numpy as np
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


def _snappy(data: bytes | bytearray) -> bytes:
    import cramjam

    out: list[bytes | cramjam.Buffer] = [struct.pack(">i", len(data))]
    view = memoryview(data)  # chunks without copying them
    for start in range(0, len(data), SNAPPY_CHUNK):
        chunk = cramjam.snappy.compress_raw(view[start : start + SNAPPY_CHUNK])
        out += [struct.pack(">i", len(chunk)), chunk]
    return b"".join(out)


COMPRESSORS: dict[str, Callable[[bytes | bytearray], bytes]] = {
    # ISA-L, as for CSV: Hadoop's zlib and gzip inflaters read its output like any other.
    "DEFLATE": lambda data: isal_zlib.compress(data, GZIP_LEVEL),
    "GZIP": lambda data: igzip.compress(data, GZIP_LEVEL, mtime=0),
    "SNAPPY": _snappy,
}


def vints(values: np.ndarray) -> bytes:
    """WritableUtils.writeVLong of many non-negative values (below 2^31) at once: one byte up to
    127, else a byte of -112 minus the value's byte count, then its big-endian bytes."""
    values = values.astype(np.int64)
    count = len(values)
    size = 1 + (values >= 1 << 8) + (values >= 1 << 16) + (values >= 1 << 24)
    small = values <= 127
    matrix = np.empty((count, 5), np.uint8)
    matrix[:, 0] = np.where(small, values, (-112 - size) & 0xFF)
    matrix[:, 1:] = values.astype(">u4").view(np.uint8).reshape(count, 4)
    keep = np.empty((count, 5), bool)
    keep[:, 0] = True
    keep[:, 1:] = ~small[:, None] & (np.arange(4)[None, :] >= 4 - size[:, None])
    return matrix[keep].tobytes()


class SequenceFileWriter:
    def __init__(self, stream: IO[bytes], compression: str) -> None:
        self._out = stream
        self._compress = COMPRESSORS.get(compression)
        self._sync = os.urandom(16)
        self._values = bytearray()  # the block's values (BytesWritable), back to back
        self._sizes: list[int] = []  # and their sizes
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
            self._values += value
            self._sizes.append(len(value))
            if len(self._values) >= BLOCK_BYTES:
                self._write_block()
            return
        self._record(value)

    def append_values(self, data: memoryview, offsets: np.ndarray) -> None:
        """Values already framed as BytesWritable, at `offsets` (one more than values) in data."""
        if not self._compress:
            for first, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
                self._record(data[first:end])
            return
        first, count = 0, len(offsets) - 1
        while first < count:
            # As many whole values as fill the block, at least one.
            room = offsets[first] + BLOCK_BYTES - len(self._values)
            last = min(max(int(np.searchsorted(offsets, room, side="right")) - 1, first + 1), count)
            self._values += data[offsets[first] : offsets[last]]
            self._sizes += np.diff(offsets[first : last + 1]).tolist()
            if len(self._values) >= BLOCK_BYTES:
                self._write_block()
            first = last

    def _record(self, value: bytes | memoryview) -> None:
        """A record of an uncompressed file: record length (key + value), key length, key
        (empty), value; a sync marker every SYNC_EVERY_BYTES."""
        if self._pending >= SYNC_EVERY_BYTES:
            self._out.write(SYNC_ESCAPE + self._sync)
            self._pending = 0
        self._out.write(struct.pack(">ii", len(value), 0) + value)
        self._pending += 8 + len(value)

    def _buffer(self, data: bytes | bytearray) -> bytes:
        compressed = self._compress(data) if self._compress else data
        return vint(len(compressed)) + compressed

    def _write_block(self) -> None:
        if not self._values:
            return
        sizes = np.asarray(self._sizes, np.int64)
        count = len(sizes)
        self._out.write(
            b"".join(
                (
                    SYNC_ESCAPE + self._sync,
                    vint(count),
                    self._buffer(vint(0) * count),  # key lengths
                    self._buffer(b""),  # keys
                    self._buffer(vints(sizes)),
                    self._buffer(self._values),
                )
            )
        )
        self._values, self._sizes = bytearray(), []

    def close(self) -> None:
        if self._compress:
            self._write_block()
