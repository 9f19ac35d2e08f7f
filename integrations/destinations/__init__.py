"""Destinations: one folder per cloud behind the contract in base.py, found by kind.

Adding a cloud is one folder and one line in DESTINATIONS below (docs/integrations.md, "Adding
a cloud"); the EXTRA_DESTINATIONS setting adds clouds kept outside this package (dotted paths of
their Destination classes) without an edit here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from exporthub.outbound import platform_hosts

from .base import Destination

DESTINATIONS = (
    "integrations.destinations.s3.S3Destination",
    "integrations.destinations.gcs.GCSDestination",
    "integrations.destinations.azure.AzureBlobDestination",
)

# What Integration.destination holds.
KIND_MAX_LENGTH = 10


def _registry() -> dict[str, type[Destination]]:
    paths = [*DESTINATIONS, *getattr(settings, "EXTRA_DESTINATIONS", ())]
    classes: list[type[Destination]] = [import_string(path) for path in paths]
    registry = {cls.kind: cls for cls in classes}
    if len(registry) < len(classes):  # a later one would silently replace a cloud in use
        kinds = sorted(
            {cls.kind for cls in classes if [c.kind for c in classes].count(cls.kind) > 1}
        )
        raise ImproperlyConfigured(f"Two destinations of kind {', '.join(kinds)}.")
    if long := [kind for kind in registry if len(kind) > KIND_MAX_LENGTH]:
        raise ImproperlyConfigured(f"Kinds longer than {KIND_MAX_LENGTH}: {', '.join(long)}.")
    return registry


REGISTRY: dict[str, type[Destination]] = _registry()
DESTINATION_CHOICES = [(kind, cls.label) for kind, cls in REGISTRY.items()]
# No tenant names a host ExportHub itself connects to for any cloud as its own endpoint.
platform_hosts(lambda: {host for cls in REGISTRY.values() for host in cls.platform_hosts()})


def get_destination(kind: str) -> type[Destination]:
    return REGISTRY[kind]
