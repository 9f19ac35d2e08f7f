"""Azure's stand-in as fixtures: Azurite over HTTPS, started once per test session when a test
asks for it, and the operator's settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integrations.destinations.azure import standin
from tests.integrations.destinations.azure.standin import Azurite


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    with standin.azurite(tmp_path_factory.mktemp("azurite")) as server:
        yield server


@pytest.fixture
def azure_env(azurite: Azurite, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Azurite:
    settings.AZURE_BLOB_ENDPOINT = azurite.endpoint
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(azurite.ca_bundle))
    return azurite
