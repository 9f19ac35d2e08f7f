"""The one door for connections to addresses a tenant chose (webhook and Slack URLs, S3-compatible
Endpoint URLs, anything later).

- `urls.parse` reads a URL once, strictly, and gives the form that is stored, shown and connected
  to: no backslash, whitespace, control character or userinfo; a non-ASCII host as its IDNA 2008
  A-label; the same host as urllib3 (which connects) would read.
- `addresses` resolves a host and says whether every address is public.
- `sockets` is where every SDK and `requests` open their sockets (urllib3's create_connection):
  a tenant's host is checked there, at the moment of connecting, and the socket goes to the
  address just checked; a `Deadline` ends every socket opened under it when it passes.
- `endings` makes an answer that ends early (inside its headers, or cut by the door) an error,
  never a short success, and ends one that runs past OUTBOUND_ANSWER_MAX_BYTES.
- `platform` knows the hosts ExportHub itself connects to, which no tenant may name.
- `http.post` sends one request to a tenant's URL: no redirects, a total deadline (connect, TLS,
  headers and body together) and a capped body.
"""

from __future__ import annotations

from .addresses import is_public, public_address
from .endings import AnswerTooLarge, Cut
from .http import Answer, post
from .platform import is_platform_host, platform_hosts
from .sockets import Deadline, DeadlinePassed, HeldTooLong, Refused, install, trust_tenant_host
from .urls import Target, parse

__all__ = [
    "Answer",
    "AnswerTooLarge",
    "Cut",
    "Deadline",
    "DeadlinePassed",
    "HeldTooLong",
    "Refused",
    "Target",
    "install",
    "is_platform_host",
    "is_public",
    "parse",
    "platform_hosts",
    "post",
    "public_address",
    "trust_tenant_host",
]
