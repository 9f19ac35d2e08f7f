"""pyiceberg's FileIO over the integration's destination `Connection`: every metadata file,
manifest and data file is read, written, sized, listed and deleted with the integration's own
credentials, per-seat identity, outbound rules and error mapping; no second cloud client.

Locations are full URIs under the warehouse root of the integration's bucket or container
(`Destination.warehouse_uri`, e.g. s3://bucket); a location outside it is refused."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import Any

from pyiceberg.io import FileIO, InputFile, InputStream, OutputFile, OutputStream

from integrations.destinations.base import Connection, ObjectInfo

from ..runs import upload

SPOOL_BYTES = upload.SPOOL_BYTES


class ConnectionFileIO(FileIO):
    def __init__(self, conn: Connection, root: str) -> None:
        super().__init__({})
        self.conn, self.root = conn, root.rstrip("/")

    def key(self, location: str) -> str:
        prefix = self.root + "/"
        if not location.startswith(prefix):
            raise ValueError(f"{location} is outside the table's bucket")
        return location.removeprefix(prefix)

    def uri(self, key: str) -> str:
        return f"{self.root}/{key}"

    def new_input(self, location: str) -> InputFile:
        return _Input(self, location)

    def new_output(self, location: str) -> OutputFile:
        return _Output(self, location)

    def delete(self, location: str | InputFile | OutputFile) -> None:
        path = location if isinstance(location, str) else location.location
        self.conn.delete(self.key(path))

    def list(self, prefix_location: str) -> Iterator[ObjectInfo]:
        """Objects under a location (a folder's URI, ending in "/")."""
        return self.conn.list_objects(self.key(prefix_location))

    def head(self, location: str) -> ObjectInfo | None:
        return self.conn.head(self.key(location))


class _Input(InputFile):
    def __init__(self, fileio: ConnectionFileIO, location: str) -> None:
        super().__init__(location)
        self._io = fileio

    def __len__(self) -> int:
        info = self._io.head(self.location)
        if info is None:
            raise FileNotFoundError(self.location)
        return info.size

    def exists(self) -> bool:
        return self._io.head(self.location) is not None

    def open(self, seekable: bool = True) -> InputStream:
        # Metadata, manifest lists and manifests are small: read whole.
        return io.BytesIO(self._io.conn.read(self._io.key(self.location)))


class _Upload(io.RawIOBase):
    """Buffers what pyiceberg writes (in a spool file beyond SPOOL_BYTES) and uploads it on
    close, so a half-written file never lands."""

    def __init__(self, fileio: ConnectionFileIO, key: str) -> None:
        self._io, self._key = fileio, key
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self._done = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self._spool.write(data)

    def tell(self) -> int:
        return self._spool.tell()

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is not None:  # pyiceberg failed mid-file: nothing lands
            self._done = True
            self._spool.close()
        self.close()

    def close(self) -> None:
        if not self._done:
            self._done = True
            try:
                self._spool.seek(0)
                self._io.conn.write(self._key, self._spool)
            finally:
                self._spool.close()
        super().close()


class _Output(OutputFile):
    def __init__(self, fileio: ConnectionFileIO, location: str) -> None:
        super().__init__(location)
        self._io = fileio

    def __len__(self) -> int:
        return len(self.to_input_file())

    def exists(self) -> bool:
        return self.to_input_file().exists()

    def to_input_file(self) -> InputFile:
        return _Input(self._io, self.location)

    def create(self, overwrite: bool = False) -> OutputStream:
        # Every name we write is new (uuids, versions under the row lock): no existence check.
        return _Upload(self._io, self._io.key(self.location))
