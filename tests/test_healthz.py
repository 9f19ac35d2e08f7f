"""`/healthz` reports the database and the broker."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from exporthub.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker() -> Iterator[None]:
    original = app.conf.broker_url
    app.conf["broker_url"] = "redis://:secret-password@127.0.0.1:1/0"
    try:
        yield
    finally:
        app.conf["broker_url"] = original


def test_it_reports_healthy_services(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "broker": {"ok": True}},
        "scheduler": {"status": "unknown", "last_tick": None},  # no beat has ticked here
    }


def test_it_answers_503_when_the_broker_is_down(client: Client, unreachable_broker: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"] == {"ok": True}
    assert "secret-password" not in response.content.decode()


def test_it_answers_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("exporthub.health.connection.cursor", side_effect=OperationalError("x")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_it_needs_no_login_and_is_never_cached(client: Client) -> None:
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
