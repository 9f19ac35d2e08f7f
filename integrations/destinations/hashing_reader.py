"""The stream every upload reads: what the SDK reads of it is counted and MD5-hashed, once, in
order, for the manifests' checksums."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import IO

# A stream's MD5 (hex), or a function giving it once the stream has ended.
Digest = str | Callable[[], str]


class HashingReader:
    """A read-only, non-seekable view of a stream that counts and MD5-hashes what is read (or
    only counts, when the caller knows the digest).

    Being non-seekable makes every SDK read it once, in order, so the digest is of exactly
    the bytes uploaded.
    """

    def __init__(self, stream: IO[bytes], md5: Digest | None = None) -> None:
        """`md5`: the stream's digest when the caller has it already (a part's writer hashed
        exactly these bytes into its spool), or a function giving it once the stream ended (a
        file uploaded while it is written); the reader then only counts."""
        self._stream = stream
        # The checksum the manifests declare, not a security measure.
        self._known = md5
        self._md5 = None if md5 else hashlib.md5(usedforsecurity=False)
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        if self._md5 is not None:
            self._md5.update(chunk)
        self.size += len(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.size

    def seekable(self) -> bool:
        return False

    @property
    def md5(self) -> str:
        if self._md5 is not None:
            return self._md5.hexdigest()
        return self._known() if callable(self._known) else str(self._known)
