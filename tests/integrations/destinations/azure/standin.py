"""Azurite as the tests use it: its process, its account, SAS tokens for it, new containers, their
blobs, and a live container an export test writes to and reads back."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integrations.destinations.azure.credentials import sas_token
from tests.support.services import free_port
from tests.support.standins import ROOT, background_process, self_signed_certificate

# Azurite's well-known development account (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
ACCOUNT = AZURITE_ACCOUNT


@dataclass(frozen=True)
class Azurite:
    endpoint: str  # with {account}, as AZURE_BLOB_ENDPOINT
    ca_bundle: Path


@contextmanager
def azurite(workdir: Path, certificate: tuple[Path, Path] | None = None) -> Iterator[Azurite]:
    """Azurite over HTTPS, with `certificate` (certificate, key) or a new one of its own."""
    binary = ROOT / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        raise RuntimeError("Azurite is not installed: run `npm ci` (make test does).")
    cert, key = certificate or self_signed_certificate(workdir)
    port = free_port()
    args = [
        str(binary), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--location", str(workdir / "azurite"), "--skipApiVersionCheck", "--disableTelemetry",
        "--cert", str(cert), "--key", str(key), "--silent",
    ]  # fmt: skip
    # Azurite fetches copy sources from itself, over the same HTTPS.
    trust = {"NODE_EXTRA_CA_CERTS": str(cert)}
    with background_process(args, port, workdir / "azurite.log", env=trust):
        yield Azurite(endpoint=f"https://127.0.0.1:{port}/{{account}}", ca_bundle=cert)


def azure_endpoint() -> str:
    """The stand-in's account, as the operator's AZURE_BLOB_ENDPOINT names it."""
    # Imported here: the long runs import this module before Django is configured.
    from integrations.destinations.azure.settings import AZURE_BLOB_ENDPOINT

    return AZURE_BLOB_ENDPOINT.get().format(account=ACCOUNT)


def azure_sas(**kwargs: object) -> str:
    return sas_token(account=ACCOUNT, account_key=AZURITE_KEY, **kwargs)  # type: ignore[arg-type]


def azure_container(create: bool = True) -> str:
    from azure.storage.blob import BlobServiceClient

    name = f"verify-{uuid.uuid4().hex[:12]}"
    if create:
        service = BlobServiceClient(
            azure_endpoint(),
            credential={"account_name": ACCOUNT, "account_key": AZURITE_KEY},
        )
        service.create_container(name)
    return name


def azure_blobs(container: str) -> list[str]:
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_container_url(
        f"{azure_endpoint()}/{container}",
        credential={"account_name": ACCOUNT, "account_key": AZURITE_KEY},
    )
    return [blob.name for blob in client.list_blobs()]


def azure_objects(container: str) -> dict[str, bytes]:
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_container_url(
        f"{azure_endpoint()}/{container}",
        credential={"account_name": ACCOUNT, "account_key": AZURITE_KEY},
    )
    return {b.name: client.download_blob(b.name).readall() for b in client.list_blobs()}


def live(request: pytest.FixtureRequest) -> tuple[dict[str, str], Callable[[], dict[str, bytes]]]:
    """An integration's fields on a new container, with a SAS any feed's export may use, and a
    reader of its blobs."""
    request.getfixturevalue("azure_env")
    container = azure_container()
    fields = {"storage_account": ACCOUNT, "container": container,
              "sas_token": azure_sas(permission="rwdlac")}  # fmt: skip
    return fields, lambda: azure_objects(container)
