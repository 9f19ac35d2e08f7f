"""Each registered cloud's test pieces, found by kind in its test folder
(tests/integrations/destinations/<kind>/), so that tests go over the registry rather than a list
of clouds."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

import pytest


def live_destination(
    kind: str, request: pytest.FixtureRequest
) -> tuple[dict[str, str], Callable[[], dict[str, bytes]]]:
    """An integration's fields on a new bucket or container of the cloud's stand-in, and a
    function reading its objects back (`live` in the cloud's standin.py)."""
    live: Callable[..., tuple[dict[str, str], Callable[[], dict[str, bytes]]]]
    live = import_module(f"tests.integrations.destinations.{kind}.standin").live
    return live(request)
