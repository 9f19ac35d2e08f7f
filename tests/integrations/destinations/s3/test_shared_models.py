"""S3 connections share botocore's parsed models per process, and nothing of one tenant's."""

from __future__ import annotations

import threading
from typing import Any

from integrations.destinations.s3 import connection

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "us-west-2")


def _open(index: int) -> Any:
    return connection.connect(
        {"bucket": f"bucket-{index}", "region": REGIONS[index % 4], "auth_mode": "access_key"},
        {"access_key": f"AKIA{index:016d}", "secret_key": f"secret-{index}"},
        external_id=f"external-{index}",
        seat_id=index,
    ).client


def test_it_keeps_credentials_region_and_hooks_per_connection_opened_at_once() -> None:
    count = 8
    start = threading.Barrier(count)
    clients: dict[int, Any] = {}
    failures: list[BaseException] = []

    def open_one(index: int) -> None:
        start.wait()
        try:
            clients[index] = _open(index)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for index, client in clients.items():
        credentials = client._request_signer._credentials
        assert (credentials.access_key, credentials.secret_key) == (
            f"AKIA{index:016d}",
            f"secret-{index}",
        )
        assert client.meta.region_name == REGIONS[index % 4]
    assert len({id(client.meta.events) for client in clients.values()}) == count
    assert len({id(client._endpoint) for client in clients.values()}) == count


def test_it_shares_the_parsed_models_without_growing_their_search_paths() -> None:
    loader = connection._shared_loader()
    before = list(loader.search_paths)
    first, second = _open(1), _open(2)
    assert loader.search_paths == before
    assert first.meta.service_model._service_description is (
        second.meta.service_model._service_description
    )
