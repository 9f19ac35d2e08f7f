"""A local folder as a destination: what the cloud declares over connection.py."""

from __future__ import annotations

from typing import Any, ClassVar

from integrations.destinations.base import Destination, Setting

from . import connection


class LocalFolderDestination(Destination):
    kind = "localfs"
    label = "Local folder"
    container_label = "folder"
    settings: ClassVar[tuple[Setting, ...]] = (Setting("folder", "Folder", verify=True),)
    hints = {
        "NoSuchFolder": "Create the folder first: ExportHub writes into it, never creates it.",
        "*": "The folder answered with an error; check its permissions.",
    }

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        return f"localfs:{config['folder']}"

    @classmethod
    def location(cls, config: dict[str, Any]) -> str:
        return f"file://{config['folder']}"

    @classmethod
    def connect(
        cls, config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
    ) -> connection.LocalFolderConnection:
        return connection.LocalFolderConnection(config["folder"])
