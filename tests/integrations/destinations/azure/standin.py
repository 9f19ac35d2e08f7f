"""Azurite as the tests use it: its account, SAS tokens for it, new containers, their blobs."""

from __future__ import annotations

import uuid

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
