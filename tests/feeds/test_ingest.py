"""`POST /api/v1/events/{feed}`: validated, atomic, size-limited, scoped to the key's tenant."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import EVENT_MODELS
from tests.support.events import click as _click

ClickEvent, StandardFeedEvent = EVENT_MODELS["clicks"], EVENT_MODELS["standard_feed"]
pytestmark = pytest.mark.django_db
URL = "/api/v1/events/clicks"


@pytest.fixture
def api(tenant: Tenant) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'ingest')[1]}")


def _post(client: Client, body: str, url: str = URL) -> Any:
    return client.post(url, body, content_type="application/json")


def test_it_stores_a_json_array(api: Client, tenant: Tenant) -> None:
    body = json.dumps([_click(click_id=f"c-{i}") for i in range(3)])
    response = _post(api, body)
    assert (response.status_code, response.json()) == (202, {"accepted": 3})
    stored = ClickEvent.objects.filter(tenant=tenant).order_by("click_id")  # type: ignore[attr-defined]
    assert [c.click_id for c in stored] == ["c-0", "c-1", "c-2"]
    assert stored[0].cost == Decimal("0.125") and stored[0].received_at is not None


def test_it_stores_json_lines_with_exact_values(api: Client, tenant: Tenant) -> None:
    lines = [
        _click(click_id="a", offer_id=str(2**63 - 1), cost=0.1),
        _click(click_id="b", sub1=None),
    ]
    response = _post(api, "\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert response.status_code == 202
    first = ClickEvent.objects.get(click_id="a")  # type: ignore[attr-defined]
    assert first.offer_id == 2**63 - 1 and first.cost == Decimal("0.1")


def test_it_reports_every_bad_row_and_stores_nothing(api: Client) -> None:
    lines = [
        json.dumps(_click()),
        json.dumps(_click(offer_id="x", country=None)),
        "{broken",
        json.dumps(_click(cost="0.0000001", event_time="2026-11-22T10:00:00", extra=1)),
    ]
    response = _post(api, "\n".join(lines))
    assert response.status_code == 400
    assert sorted((e["line"], e["field"]) for e in response.json()) == [
        (2, "country"), (2, "offer_id"), (3, ""), (4, "cost"), (4, "event_time"), (4, "extra"),
    ]  # fmt: skip
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2**63, "Out of range"),
        (True, "Expected an integer"),
        (1.5, "Expected an integer"),
        ("12345678901234567890123", "Expected an integer"),
    ],
)
def test_it_checks_64_bit_integers(api: Client, value: Any, message: str) -> None:
    response = _post(api, json.dumps([_click(offer_id=value)]))
    assert response.status_code == 400
    assert message in response.json()[0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "[1, 2",
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' + "9" * 5000 + "}",
        "\xff\xfe",
        "[NaN]",
        "[]",
        "42",
        '"just a string"',
        '{"click_id": "c-1"}\n' + "{" * 50_000,
        "[" + json.dumps(_click()) + ", 7, null, [], true]",
        json.dumps(_click()) + "\n" + json.dumps(_click(click_id="x" * 10_000_000)),
        json.dumps(_click()) + "\n" + '{"click_id": "' + "y" * 10_000_000,
        json.dumps(_click(offer_id=10**400)),
        json.dumps(_click(cost="1e999999")),
        json.dumps(_click(offer_id="17", affiliate_id=5.5, is_unique="yes")),
        json.dumps(_click(event_time="2026-02-30T10:00:00Z")),
        json.dumps(_click(click_id="c\u0000-1")),
        json.dumps(_click()).replace("{", '{"click_id": 1, ', 1),
    ],
)
def test_it_answers_malformed_payloads_with_400(api: Client, body: str) -> None:
    response = _post(api, body)
    assert response.status_code == 400, response.content[:300]
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


def test_it_answers_invalid_utf8_with_400(api: Client) -> None:
    body = json.dumps(_click()).encode().replace(b"c-1", b"c-\xc3\x28")
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


def test_it_refuses_an_oversized_body_with_413(api: Client, settings: Any) -> None:
    settings.INGEST_MAX_BYTES = 1000
    response = _post(api, json.dumps([_click(click_id=f"c-{i}") for i in range(20)]))
    assert response.status_code == 413
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


def test_it_answers_404_for_an_unknown_feed(api: Client) -> None:
    assert _post(api, "[]", "/api/v1/events/bids").status_code == 404


def test_it_keeps_events_to_the_keys_tenant(
    api: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    other = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(other_tenant, Role.ADMIN, 'x')[1]}")
    assert _post(other, json.dumps([_click()])).status_code == 202
    assert not ClickEvent.objects.filter(tenant=tenant).exists()  # type: ignore[attr-defined]
    assert ClickEvent.objects.filter(tenant=other_tenant).count() == 1  # type: ignore[attr-defined]


def test_it_refuses_viewer_keys_and_missing_keys(tenant: Tenant, client: Client) -> None:
    viewer = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.VIEWER, 'ro')[1]}")
    assert _post(viewer, json.dumps([_click()])).status_code == 403
    assert _post(client, json.dumps([_click()])).status_code == 401
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


def test_it_ingests_the_log_level_feed(api: Client, tenant: Tenant) -> None:
    from feeds.formats.values import csv_text
    from feeds.schema.columns import COLUMNS

    from .conftest import synthetic_rows

    row = synthetic_rows("standard_feed", 1)[0]
    event = {c.name: (csv_text(v) if c.type in ("timestamp", "decimal") else v)
             for c, v in zip(COLUMNS["standard_feed"], row, strict=True)}  # fmt: skip
    event["event_time"] = event["event_time"].replace("Z", "+00:00")
    assert _post(api, json.dumps([event]), "/api/v1/events/standard_feed").status_code == 202
    assert StandardFeedEvent.objects.get().auction_id_64 == row[0]  # type: ignore[attr-defined]


def test_it_refuses_a_key_given_twice(api: Client) -> None:
    body = json.dumps(_click()).replace("{", '{"offer_id": 1, ', 1)
    response = _post(api, "\n" + body)
    assert response.json() == [
        {"line": 2, "field": "", "message": 'Invalid JSON: Detected duplicate key "offer_id".'}
    ]
    in_an_array = f"[\n{json.dumps(_click())},\n{body}\n]"
    assert _post(api, in_an_array).json()[0]["line"] == 3  # the second object's line
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


def test_json_lines_split_only_at_line_feeds(api: Client) -> None:
    # U+2028 and U+0085 are line breaks to str.splitlines, and plain characters to JSON.
    body = json.dumps(_click(os="a\u2028b\x85c"), ensure_ascii=False)
    assert _post(api, body).status_code == 202
    assert ClickEvent.objects.get().os == "a\u2028b\x85c"  # type: ignore[attr-defined]


def test_it_answers_a_lone_surrogate_with_400(api: Client) -> None:
    # Valid JSON, but not text PostgreSQL could store: refused while parsing, nothing stored.
    response = _post(api, json.dumps([_click(), _click(os="\ud800")]))
    assert response.status_code == 400
    assert response.json()[0]["message"].startswith("Invalid JSON: ")
    assert not ClickEvent.objects.exists()  # type: ignore[attr-defined]


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_an_event_time_past_the_calendar_in_utc_is_a_400_that_says_why(
    api: Client, when: str
) -> None:
    """In its own offset the time is valid; in UTC, where it is stored, it falls in year 10000
    or year 0 (a 500 on SQLite before)."""
    response = _post(api, json.dumps([_click(event_time=when)]))
    assert response.status_code == 400
    assert response.json() == [
        {"line": 1, "field": "event_time", "message": "The time is out of range: years 1 to "
         "9999 in UTC."}
    ]  # fmt: skip
    assert not ClickEvent._default_manager.exists()
