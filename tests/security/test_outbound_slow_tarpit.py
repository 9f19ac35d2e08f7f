"""A tenant's storage that drips its answer slower than half the connection limit (a byte, then
nothing until long after the cut): between two cuts it sends nothing, as a connection idle in a
pool does. Cut once, it must be cooled down like any tarpit; a healthy connection cut while it
rests in its pool must not be."""

from __future__ import annotations

import time
from typing import Any

import pytest
import urllib3

from exporthub import outbound
from tests.support.healthy_store import healthy_store
from tests.support.hostile import forgets_tenant_hosts, hostile_server

__all__ = ["forgets_tenant_hosts"]  # autouse here: tenant hosts are process-wide

HOST = "127.0.0.2"
LIMIT = 2.0  # TENANT_CONNECTION_SECONDS in these tests
DRIP = 3.0  # seconds between two bytes of the tarpit's answer: more than half the limit


@pytest.fixture(autouse=True)
def tenant_host(settings: Any) -> None:
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [HOST]
    settings.TENANT_CONNECTION_SECONDS = LIMIT
    outbound.trust_tenant_host(HOST, "ENDPOINT_URL_ALLOWED_HOSTS")


def test_it_cools_down_a_tarpit_dripping_slower_than_half_the_limit_after_its_first_cut() -> None:
    """The SDK's retries (three here) are refused at once instead of each being cut."""
    retries = urllib3.Retry(total=3, backoff_factor=0)
    with (
        hostile_server("drip", host=HOST, interval=DRIP, drip_for=60) as tarpit,
        urllib3.HTTPConnectionPool(HOST, tarpit.port, timeout=30, retries=retries) as pool,
    ):
        began = time.monotonic()
        with pytest.raises((outbound.HeldTooLong, urllib3.exceptions.HTTPError)) as raised:
            pool.request("GET", "/manifest.json")
        took = time.monotonic() - began
        # Cut once, while the first bytes of its answer had come and the rest had not.
        assert tarpit.accepted == 1 and tarpit.sent > 0, (
            f"cut {tarpit.accepted} times in {took:.0f} s, each time taken for an idle connection"
        )
    assert isinstance(raised.value, outbound.HeldTooLong)
    with pytest.raises(outbound.HeldTooLong):  # and later requests fail fast too
        urllib3.util.connection.create_connection((HOST, tarpit.port), timeout=5)


def test_it_does_not_cool_down_a_healthy_store_whose_idle_pooled_connection_is_cut() -> None:
    with (
        healthy_store(HOST) as store,
        urllib3.HTTPConnectionPool(HOST, store.port, maxsize=1) as pool,
    ):
        assert pool.request("GET", "/a", retries=False).status == 200
        time.sleep(LIMIT + 1)  # the answer came whole; the connection rests in the pool, cut
        assert pool.request("GET", "/b", retries=1).status == 200
        assert store.accepted == 2, "the connection was not cut at its limit"
        urllib3.util.connection.create_connection((HOST, store.port), timeout=5).close()
