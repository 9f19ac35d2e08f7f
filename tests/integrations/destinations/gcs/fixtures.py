"""GCS's stand-in as fixtures: the emulator with its token and IAM endpoints, started once per
test session when a test asks for it, and the operator's settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integrations.destinations.gcs.emulator import GCSStandIn, gcs_emulator


@pytest.fixture(scope="session")
def gcs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GCSStandIn]:
    with gcs_emulator(tmp_path_factory.mktemp("gcs")) as server:
        yield server


@pytest.fixture
def gcs_env(
    gcs: GCSStandIn, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[GCSStandIn]:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.host)
    settings.GCS_TOKEN_URI = gcs.token_uri  # the operator's stand-in token endpoint
    gcs.faults.count = 0
    gcs.faults.grants.clear()
    yield gcs
    gcs.faults.count = 0
    gcs.faults.grants.clear()
