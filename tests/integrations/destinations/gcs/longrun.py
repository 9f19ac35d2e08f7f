"""GCS in the long runs of `make reliability` (reliability/clouds.py): the emulator with its
token endpoint, GCS's JSON errors, a bucket per integration (a service-account key naming the
local token endpoint) read back object by object."""

from __future__ import annotations

import json
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.emulator import gcs_emulator


class Cloud:
    kind = "gcs"
    tenant = ("Initech", "initech", 4321)
    exports: tuple[tuple[str, dict[str, Any]], ...] = (("clicks", {"directory": "/raw/clicks"}),)

    def __init__(self, workdir: Path, certificate: tuple[Path, Path]) -> None:
        self.workdir = workdir
        self.canaries: list[str] = []
        self.url = self.token_uri = ""

    def start(self, stack: ExitStack) -> str:
        gcs = stack.enter_context(gcs_emulator(self.workdir))
        self.url, self.token_uri = gcs.direct, gcs.token_uri
        return self.url

    def environment(self, proxied: str) -> dict[str, str]:
        return {"STORAGE_EMULATOR_HOST": proxied, "GCS_TOKEN_URI": self.token_uri}

    def fault_answer(
        self, status: int, code: str, message: str
    ) -> tuple[str, bytes, dict[str, str]]:
        error = {"code": status, "message": message, "errors": [{"reason": code}]}
        return "application/json", json.dumps({"error": error}).encode(), {}

    def new_container(self, name: str, feed: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/storage/v1/b?project=reliability", method="POST",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        urllib.request.urlopen(request, timeout=10).close()
        key = service_account_key(token_uri=self.token_uri)
        return {"bucket": name, "auth_mode": "key", "service_account_key": key}

    def objects(self, config: dict[str, Any]) -> dict[str, bytes]:
        bucket = config["bucket"]
        base = f"{self.url}/storage/v1/b/{bucket}/o"
        with urllib.request.urlopen(base, timeout=30) as answer:
            names = [item["name"] for item in json.load(answer).get("items", [])]
        found = {}
        for name in names:
            url = f"{self.url}/download/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media"
            with urllib.request.urlopen(url, timeout=30) as answer:
                found[name] = answer.read()
        return found

    def write_revoked(self) -> dict[str, Any] | None:
        return None  # the emulator checks no permission

    def tenant_endpoint(self, url: str) -> dict[str, Any] | None:
        return None
