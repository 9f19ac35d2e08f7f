"""The suite's settings plus the registry line that adds this folder's cloud."""

from exporthub.test_settings import *  # noqa: F403

EXTRA_DESTINATIONS = ["tests.integrations.destinations.localfs.destination.LocalFolderDestination"]
