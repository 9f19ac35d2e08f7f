"""Destinations: one folder per cloud behind the contract in base.py, found by kind.

Adding a cloud is one folder and one line below (docs/integrations.md, "Adding a cloud").
"""

from __future__ import annotations

from .azure import AzureBlobDestination
from .base import Destination
from .gcs import GCSDestination
from .s3 import S3Destination

REGISTRY: dict[str, type[Destination]] = {
    cls.kind: cls for cls in (S3Destination, GCSDestination, AzureBlobDestination)
}
DESTINATION_CHOICES = [(kind, cls.label) for kind, cls in REGISTRY.items()]


def get_destination(kind: str) -> type[Destination]:
    return REGISTRY[kind]
