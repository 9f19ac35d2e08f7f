"""Address checks that could be dodged: private IPv4 addresses carried inside IPv6 forms, and DNS
rebinding between the check and the SDK's own resolution of an S3 Endpoint URL."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from integrations import outbound
from integrations.destinations.s3 import S3Destination
from integrations.destinations.s3.endpoints import clean_endpoint_url


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


class _RebindingDns:
    """A tenant's DNS: a public address while ExportHub checks, loopback right after."""

    def __init__(self) -> None:
        self.answer, self.real = "93.184.216.34", outbound._resolve

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "storage.rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (self.answer, port))]
        return self.real(host, port, *args, **kwargs)  # address literals: no lookup


def test_dns_rebinding_after_the_check_does_not_move_the_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dns = _RebindingDns()
    monkeypatch.setattr(outbound, "_resolve", dns)
    config = {"bucket": "acme", "region": "auto", "endpoint_url": "https://storage.rebind.example"}
    S3Destination.connect(config, {"access_key": "AKIAEXAMPLE", "secret_key": "x" * 40},
                          external_id="", seat_id=1)  # fmt: skip
    dns.answer = "127.0.0.1"  # rebound once the check passed
    # What urllib3 asks when botocore opens the connection: the address that was checked.
    answers = {info[4][0] for info in socket.getaddrinfo("storage.rebind.example", 443)}
    assert answers == {"93.184.216.34"}
    with pytest.raises(Exception, match="private, loopback"):  # the next connect checks again
        S3Destination.connect(config, {"access_key": "AKIAEXAMPLE", "secret_key": "x" * 40},
                              external_id="", seat_id=1)  # fmt: skip
