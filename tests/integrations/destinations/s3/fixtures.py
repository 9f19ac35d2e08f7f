"""S3's stand-ins as fixtures: a permissive one and one that enforces IAM, each started once per
test session when a test asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.destinations.s3.iam_world import IamWorld, iam_world
from tests.integrations.destinations.s3.standin import moto_server


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An S3/STS stand-in that accepts any credentials."""
    with moto_server(tmp_path_factory.mktemp("moto")) as url:
        yield url


@pytest.fixture
def s3_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point botocore at the permissive S3 stand-in, as an operator would with the env var."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPLATFORM00000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "platform-secret")
    return moto_url


@pytest.fixture(scope="session")
def iam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamWorld]:
    """An S3/STS stand-in that enforces IAM: real AccessDenied answers."""
    with iam_world(tmp_path_factory.mktemp("moto-iam")) as world:
        yield world


@pytest.fixture
def iam_env(iam: IamWorld, monkeypatch: pytest.MonkeyPatch) -> IamWorld:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", iam.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", iam.url)
    return iam
