"""Azure in the long runs of `make reliability` (reliability/clouds.py): Azurite over HTTPS
with the world's certificate, Azure's error codes and header, a container per integration
(an account SAS, a canary) read back blob by blob, and a SAS that no longer writes."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tests.integrations.destinations.azure.credentials import sas_token
from tests.integrations.destinations.azure.standin import AZURITE_ACCOUNT, AZURITE_KEY, azurite

# The codes Azure answers these statuses with (the SDK reads them from x-ms-error-code).
CODES = {500: "InternalError", 503: "ServerBusy", 429: "ServerBusy"}


class Cloud:
    kind = "azure"
    tenant = ("Globex", "globex", 1234)
    exports: tuple[tuple[str, dict[str, Any]], ...] = (
        ("conversions", {"directory": "/raw/conversions"}),
        ("standard_feed", {"format": "protobuf-delimited", "compression": "GZIP"}),
    )

    def __init__(self, workdir: Path, certificate: tuple[Path, Path]) -> None:
        self.workdir, self.certificate = workdir, certificate
        self.canaries: list[str] = []
        self.endpoint = ""  # the stand-in itself, with {account}, for reading back

    def start(self, stack: ExitStack) -> str:
        server = stack.enter_context(azurite(self.workdir, self.certificate))
        self.endpoint = server.endpoint
        return server.endpoint.removesuffix("/{account}")

    def environment(self, proxied: str) -> dict[str, str]:
        return {
            "AZURE_BLOB_ENDPOINT": proxied + "/{account}",
            "AZURE_RETRY_BACKOFF_SECONDS": "0.2",
        }

    def fault_answer(
        self, status: int, code: str, message: str
    ) -> tuple[str, bytes, dict[str, str]]:
        code = CODES[status]
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>"
        )
        return "application/xml", body.encode(), {"x-ms-error-code": code}

    def _service(self) -> Any:
        from azure.storage.blob import BlobServiceClient

        account, key = AZURITE_ACCOUNT, AZURITE_KEY
        return BlobServiceClient(
            self.endpoint.format(account=account),
            credential={"account_name": account, "account_key": key},
        )

    def _token(self, permission: str) -> str:
        token = sas_token(permission=permission, account=AZURITE_ACCOUNT,
                          account_key=AZURITE_KEY)  # fmt: skip
        self.canaries.append(token.split("sig=")[1].split("&")[0])
        return token

    def new_container(self, name: str, feed: str) -> dict[str, Any]:
        self._service().create_container(name)
        permission = "rwdlac" if feed == "standard_feed" else "rwd"
        return {"storage_account": AZURITE_ACCOUNT, "container": name,
                "sas_token": self._token(permission)}  # fmt: skip

    def objects(self, config: dict[str, Any]) -> dict[str, bytes]:
        container = self._service().get_container_client(config["container"])
        return {b.name: container.download_blob(b.name).readall() for b in container.list_blobs()}

    def write_revoked(self) -> dict[str, Any] | None:
        return {"sas_token": self._token("rl")}

    def tenant_endpoint(self, url: str) -> dict[str, Any] | None:
        return None
