"""One gzip member written through ISA-L's deflate, for CSV and length-delimited protobuf.

Level 1: about 500 MB/s here against 48 MB/s for zlib at level 6, for files 15 to 25 % larger; it
is plain gzip to every reader. The member is framed here rather than by igzip.IGzipFile so that
compressed bytes reach the stream as they are produced: parts are split on bytes written.
"""

from __future__ import annotations

import struct
import zlib

from isal import isal_zlib

from .base import DigestStream

GZIP_LEVEL = 1  # shared by every gzip and deflate this package writes
# mtime 0: the same rows always give the same bytes.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


class GzipMember:
    def __init__(self, out: DigestStream) -> None:
        self._out = out
        self._deflate = isal_zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._crc = 0
        self._size = 0
        # Written at once so a part's size counts it, as gzip.GzipFile does.
        out.write(GZIP_HEADER)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._crc = isal_zlib.crc32(data, self._crc)
        self._size += len(data)
        self._out.write(self._deflate.compress(data))

    def close(self) -> None:
        self._out.write(self._deflate.flush())
        self._out.write(struct.pack("<II", self._crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF))
