"""Objects as files under one folder; keys never leave it."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from integrations.destinations.base import Connection, DestinationError, ObjectInfo, ReadLimit
from integrations.destinations.hashing_reader import Digest, HashingReader


def map_error(exc: Exception, secrets: dict[str, Any]) -> DestinationError:
    """Every filesystem failure but a missing object is permanent: permissions or configuration."""
    if isinstance(exc, FileNotFoundError):
        return DestinationError("NoSuchKey", "No such object.", permanent=True)
    if isinstance(exc, PermissionError):
        return DestinationError("AccessDenied", "The folder refused access.", permanent=True)
    return DestinationError(
        type(exc).__name__, "The folder answered with an error.", permanent=True
    )


class LocalFolderConnection(Connection):
    map_error = staticmethod(map_error)

    def __init__(self, folder: str) -> None:
        self.root = Path(folder).resolve()
        self.secrets: dict[str, Any] = {}

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:  # "..", an absolute key: outside the folder
            raise DestinationError("InvalidKey", f"{key} is outside the folder.", permanent=True)
        return path

    def write(
        self,
        key: str,
        stream: IO[bytes],
        content_type: str = "application/octet-stream",
        md5: Digest | None = None,
    ) -> ObjectInfo:
        reader = HashingReader(stream, md5)
        path = self._path(key)
        with self.errors():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Beside the folder, then moved in whole: a stream that fails leaves no object.
            with tempfile.NamedTemporaryFile(dir=self.root.parent, delete=False) as out:
                try:
                    shutil.copyfileobj(reader, out)
                except BaseException:
                    Path(out.name).unlink()
                    raise
            Path(out.name).replace(path)
        return ObjectInfo(key=key, size=reader.size, md5=reader.md5)

    def read_into(self, key: str, sink: ReadLimit) -> None:
        path = self._path(key)
        sink.expect(path.stat().st_size)
        with path.open("rb") as source:
            shutil.copyfileobj(source, sink)

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        with self.errors():
            data = path.read_bytes()
        return ObjectInfo(key, len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        with self.errors():
            files = sorted(p for p in self.root.rglob("*") if p.is_file())
        for path in files:
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                yield ObjectInfo(key, path.stat().st_size)

    def copy(self, source: str, target: str) -> None:
        with self.errors():
            self._path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self._path(source), self._path(target))

    def delete(self, key: str) -> None:
        with self.errors():
            self._path(key).unlink(missing_ok=True)

    def check_reachable(self) -> str:
        if not self.root.is_dir():
            raise DestinationError("NoSuchFolder", f"{self.root} is not a folder.", permanent=True)
        return f"{self.root} is a folder."
