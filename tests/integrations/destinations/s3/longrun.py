"""S3 in the long runs of `make reliability` (reliability/clouds.py): moto in the harness's
process, S3's error bodies, a bucket per integration read back page by page, and the
S3-compatible Endpoint URL a tenant chooses."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

# The secret key of every S3 integration of the world: found in no log, email or message.
SECRET_CANARY = "reliability-secret-key-CANARY-0000000000"
CREDENTIALS = {"aws_access_key_id": "reliability", "aws_secret_access_key": "reliability"}


class Cloud:
    kind = "s3"
    tenant = ("Acme", "acme", 998)
    exports: tuple[tuple[str, dict[str, Any]], ...] = (
        ("clicks", {"directory": "/raw/clicks"}),
        ("standard_feed", {"format": "avro", "compression": "DEFLATE"}),
    )

    def __init__(self, workdir: Path, certificate: tuple[Path, Path]) -> None:
        self.certificate = certificate
        self.canaries = [SECRET_CANARY]
        self.url = ""  # the stand-in itself, for reading back

    def start(self, stack: ExitStack) -> str:
        from moto.server import ThreadedMotoServer

        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        stack.callback(moto.stop)
        host, port = moto.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def environment(self, proxied: str) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_S3": proxied,
            "AWS_ENDPOINT_URL_STS": proxied,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": "us-east-1",
            # botocore trusts the world's certificate as requests does: a tenant's endpoint
            # served over TLS by the world (the noisy neighbour's tarpit) is reached.
            "AWS_CA_BUNDLE": str(self.certificate[0]),
        }

    def fault_answer(
        self, status: int, code: str, message: str
    ) -> tuple[str, bytes, dict[str, str]]:
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>"
        )
        return "application/xml", body.encode(), {}

    def _client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1", **CREDENTIALS)

    def new_container(self, name: str, feed: str) -> dict[str, Any]:
        self._client().create_bucket(Bucket=name)
        return {"bucket": name, "region": "us-east-1", "auth_mode": "access_key",
                "access_key": "AKIARELIABILITY00000", "sse": "none",
                "secret_key": SECRET_CANARY}  # fmt: skip

    def objects(self, config: dict[str, Any]) -> dict[str, bytes]:
        client, found = self._client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=config["bucket"]):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=config["bucket"], Key=item["Key"])["Body"]
                found[item["Key"]] = body.read()
        return found

    def write_revoked(self) -> dict[str, Any] | None:
        return None  # the stand-in checks no permission

    def tenant_endpoint(self, url: str) -> dict[str, Any] | None:
        return {"endpoint_url": url}
