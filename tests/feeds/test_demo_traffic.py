"""`manage.py demo_traffic`: the demo integration on the stand-in verifies and events flow."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from exporthub.tenancy.models import Tenant
from exporthub.tenancy.services import create_tenant
from feeds.models import EVENT_MODELS
from integrations.catalog import FEEDS
from integrations.models import Integration, State
from tests.conftest import PASSWORD
from tests.support.verification import verify

pytestmark = pytest.mark.django_db


class Stop(Exception):
    pass


def test_it_sets_up_a_demo_that_verifies_and_feeds_events(s3_env: str, settings: Any) -> None:
    settings.S3_STANDIN_URL = s3_env
    tenant: Tenant = create_tenant("Demo Network", 1001, "admin@demo.example", PASSWORD).tenant
    with (
        mock.patch("feeds.management.commands.demo_traffic.time.sleep", side_effect=Stop),
        pytest.raises(Stop),
    ):
        call_command("demo_traffic")
    integration = Integration.objects.get(tenant=tenant)
    assert "local stand-in" in integration.name and integration.state == State.NEW
    stored = {
        feed: EVENT_MODELS[feed]._default_manager.filter(tenant=tenant).count() for feed in FEEDS
    }
    # Every feed gets traffic, the log-level ones included.
    assert stored == {feed: 4 if feed == "conversions" else 40 for feed in FEEDS}
    assert verify(integration).state == "passed"
    with (
        mock.patch("feeds.management.commands.demo_traffic.time.sleep", side_effect=Stop),
        pytest.raises(Stop),
    ):
        call_command("demo_traffic")  # idempotent: the same integration
    assert Integration.objects.filter(tenant=tenant).count() == 1


def test_it_does_nothing_without_a_stand_in(db: None, settings: Any) -> None:
    settings.S3_STANDIN_URL = ""
    call_command("demo_traffic")
    assert not Integration.objects.exists()
