"""Address checks that could be dodged: private IPv4 addresses carried inside IPv6 forms, and DNS
rebinding between the check and the connection the SDK opens to an S3 Endpoint URL."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from urllib3.util import connection as urllib3_connection

from exporthub import outbound
from integrations.destinations.base import DestinationError
from integrations.destinations.s3 import S3Destination
from integrations.destinations.s3.endpoints import clean_endpoint_url
from tests.support.hostile import attacker_dns, hostile_server


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:5::1",  # 6to4 of 10.0.0.5
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (the metadata address)
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, client 192.0.2.45
    ],
)
def test_a_private_ipv4_address_inside_an_ipv6_form_is_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="private, loopback"):
        clean_endpoint_url(f"https://[{address}]")


def test_the_6to4_form_of_a_public_address_is_accepted() -> None:
    public = ipaddress.IPv4Address("8.8.8.8")
    six_to_four = ipaddress.IPv6Address((0x2002 << 112) | (int(public) << 80))
    assert clean_endpoint_url(f"https://[{six_to_four}]") == f"https://[{six_to_four}]"


def test_dns_rebinding_after_the_check_is_refused_when_the_sdk_connects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Endpoint URL's host is public when saved and when the connection is opened; the
    tenant's DNS then answers loopback. Every socket the SDK opens is checked as it opens."""
    with hostile_server("count") as listener:
        host = "storage.rebind.example"
        dns = {host: "93.184.216.34"}
        attacker_dns(monkeypatch, dns)
        config = {
            "bucket": "acme",
            "region": "auto",
            "endpoint_url": f"https://{host}:{listener.port}",
        }
        connection = S3Destination.connect(
            config, {"access_key": "AKIAEXAMPLE", "secret_key": "x" * 40}, external_id="", seat_id=1
        )
        dns[host] = "127.0.0.1"  # rebound once the check passed
        with pytest.raises(DestinationError) as raised:
            connection.check_reachable()
        assert listener.accepted == 0
    assert raised.value.code == "ConnectionError" and not raised.value.permanent


def test_the_door_connects_to_the_address_it_checked(settings: Any) -> None:
    """What urllib3 calls to open a socket: a tenant's host goes where the check looked."""
    with hostile_server("count") as listener:
        settings.ENDPOINT_URL_ALLOWED_HOSTS = ["localhost"]  # the operator's choice
        outbound.trust_tenant_host("tenant.example", "ENDPOINT_URL_ALLOWED_HOSTS")
        with pytest.raises(outbound.Refused, match=r"could not be resolved|private"):
            urllib3_connection.create_connection(("tenant.example", listener.port))
        outbound.trust_tenant_host("localhost", "ENDPOINT_URL_ALLOWED_HOSTS")
        urllib3_connection.create_connection(("localhost", listener.port), timeout=5).close()
        time.sleep(0.1)
    assert listener.accepted == 1
