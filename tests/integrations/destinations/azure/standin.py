"""Azurite as the tests use it: its account, SAS tokens for it, new containers, their blobs, and
a live container an export test writes to and reads back."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from tests.support import standins
from tests.support.credentials import sas_token

ACCOUNT = standins.AZURITE_ACCOUNT


def azure_sas(**kwargs: object) -> str:
    return sas_token(account=ACCOUNT, account_key=standins.AZURITE_KEY, **kwargs)  # type: ignore[arg-type]


def azure_container(create: bool = True) -> str:
    from azure.storage.blob import BlobServiceClient
    from django.conf import settings

    name = f"verify-{uuid.uuid4().hex[:12]}"
    if create:
        service = BlobServiceClient(
            settings.AZURE_BLOB_ENDPOINT.format(account=ACCOUNT),
            credential={"account_name": ACCOUNT, "account_key": standins.AZURITE_KEY},
        )
        service.create_container(name)
    return name


def azure_blobs(container: str) -> list[str]:
    from azure.storage.blob import ContainerClient
    from django.conf import settings

    client = ContainerClient.from_container_url(
        f"{settings.AZURE_BLOB_ENDPOINT.format(account=ACCOUNT)}/{container}",
        credential={"account_name": ACCOUNT, "account_key": standins.AZURITE_KEY},
    )
    return [blob.name for blob in client.list_blobs()]


def azure_objects(container: str) -> dict[str, bytes]:
    from azure.storage.blob import ContainerClient
    from django.conf import settings

    client = ContainerClient.from_container_url(
        f"{settings.AZURE_BLOB_ENDPOINT.format(account=ACCOUNT)}/{container}",
        credential={"account_name": ACCOUNT, "account_key": standins.AZURITE_KEY},
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
