"""A tenant's URL read once, strictly: the form that is checked is the form that is stored, shown
and connected to.

Two parsers that disagree are how a check is dodged (`https://127.0.0.1\\x.example/` is one host
to urlsplit and another to urllib3), so anything a parser might read two ways is refused rather
than interpreted: backslashes, whitespace, control characters, userinfo, percent signs in the
host. A non-ASCII host becomes its IDNA 2008 A-label (what the connection will ask DNS for, not
IDNA 2003's `strasse` for `straße`), and the result is parsed again by urllib3 to prove that it
reads the same host and port."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError
from urllib3.util import parse_url

MAX_URL_LENGTH = 2000
# ASCII controls, space and DEL, and the backslash that WHATWG parsers read as a slash.
_AMBIGUOUS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Target:
    """Where one URL leads: an ASCII host (an A-label, or an address literal), a port, and the
    path with its query."""

    host: str
    port: int | None
    path: str = ""

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host

    @property
    def url(self) -> str:
        return f"https://{self.netloc}{self.path}"

    @property
    def connect_port(self) -> int:
        return self.port or 443


def parse(value: str, *, what: str, example: str, with_path: bool = True) -> Target:
    """The URL's target, or a ValidationError naming `what` and showing `example`."""
    url = value.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"A {what} has at most {MAX_URL_LENGTH} characters.")
    if _AMBIGUOUS.search(url) or any(unicodedata.category(c)[0] in "CZ" for c in url):
        raise ValidationError(
            f"A {what} has no spaces, backslashes or control characters. Enter it like {example}."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(f"Enter a URL like {example}.") from None
    if parts.scheme != "https":
        raise ValidationError(f"The {what} must use https://.")
    if "@" in parts.netloc:
        raise ValidationError("Do not put credentials before the host; use a path or query.")
    if not parts.hostname:
        raise ValidationError(f"Enter a URL like {example}.")
    if parts.fragment:
        raise ValidationError(f"A {what} has no #fragment.")
    if not with_path and (parts.path not in ("", "/") or parts.query):
        raise ValidationError(f"The {what} is just https://host[:port], without a path.")
    target = Target(
        host=_ascii_host(parts.hostname, what),
        port=port,
        path=(parts.path + (f"?{parts.query}" if parts.query else "")) if with_path else "",
    )
    seen = parse_url(target.url)  # urllib3's reading, which is what will connect
    if (seen.host or "").strip("[]") != target.host or seen.port != target.port:
        raise ValidationError(f"The {what} can be read two ways; enter it like {example}.")
    return target


def _ascii_host(host: str, what: str) -> str:
    """The host as DNS is asked for it: an address literal as is, a name as IDNA 2008."""
    host = host.rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii") if not host.isascii() else host
    except idna.IDNAError:
        raise ValidationError(f"The {what}'s host is not a valid domain name.") from None
    labels = ascii_host.lower().split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise ValidationError(f"The {what}'s host is not a valid domain name.")
    return ".".join(labels)
