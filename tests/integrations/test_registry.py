"""The registry of clouds: the built-in ones, then those EXTRA_DESTINATIONS adds."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations.destinations import DESTINATIONS, _registry
from integrations.destinations.base import Destination


def test_it_refuses_a_second_cloud_of_a_kind_it_has(settings: Any) -> None:
    settings.EXTRA_DESTINATIONS = [DESTINATIONS[0]]
    with pytest.raises(ImproperlyConfigured, match="s3"):
        _registry()


def test_it_refuses_a_kind_longer_than_the_column_holds(settings: Any) -> None:
    settings.EXTRA_DESTINATIONS = ["tests.integrations.test_registry.LongKind"]
    with pytest.raises(ImproperlyConfigured, match="a-kind-of-eleven"):
        _registry()


class LongKind(Destination):
    kind = "a-kind-of-eleven"
    label = "Too long"
