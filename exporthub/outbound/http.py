"""One request to a tenant's URL: parsed strictly, connected only to a checked address, never
redirected, ended by a total deadline, and with at most MAX_BODY bytes of the answer read."""

from __future__ import annotations

import os
from collections.abc import Container
from dataclasses import dataclass

import requests

from .sockets import Deadline, DeadlinePassed, Refused
from .urls import Target

MAX_BODY = 64 * 1024  # what a receiver may say back; the rest is dropped unread
TIMEOUT = "Timeout: no answer in time"  # within the total deadline


@dataclass(frozen=True)
class Answer:
    """The receiver's status code and the start of its body, or None and why there was none
    (never the URL: a Slack URL is a credential, and requests' messages quote it)."""

    status: int | None
    body: bytes = b""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    seconds: float,
    allowed: Container[str],
) -> Answer:
    """POST `body` to the target within `seconds` in all (connect, TLS, headers and body)."""
    with Deadline(seconds, allowed=allowed) as deadline, requests.Session() as session:
        # No proxy, .netrc or other credentials from the environment for a tenant's host.
        session.trust_env = False
        try:
            response = session.post(
                target.url,
                data=body,
                headers=headers,
                timeout=seconds,
                allow_redirects=False,  # a redirect could point anywhere, inside included
                stream=True,
                verify=os.environ.get("REQUESTS_CA_BUNDLE") or True,
            )
            with response:
                start = response.raw.read(MAX_BODY, decode_content=False)
        except (DeadlinePassed, requests.Timeout):
            return Answer(None, error=TIMEOUT)
        except requests.RequestException as exc:
            if deadline.passed:
                return Answer(None, error=TIMEOUT)
            refusal = _refusal(exc)
            if refusal is not None:
                return Answer(None, error=f"Refused: {refusal}")
            return Answer(None, error=f"{type(exc).__name__}: could not connect")
        except OSError:  # the deadline shut the socket while the body was being read
            return Answer(None, error=TIMEOUT)
    return Answer(response.status_code, start)


def _refusal(exc: BaseException) -> Refused | None:
    """The door's refusal inside requests' error (which wraps urllib3's, which wraps ours)."""
    seen: BaseException | None = exc
    for _ in range(8):  # a short chain: requests' error, urllib3's retry and connection errors
        if seen is None or isinstance(seen, Refused):
            return seen
        reason = getattr(seen, "reason", None)
        wrapped = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = seen.__cause__ or (reason if isinstance(reason, BaseException) else wrapped)
    return None
