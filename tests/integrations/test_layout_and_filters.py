"""The layout and row filter settings through the New/Configure forms, the API and the page:
kept, shown, audited; bad and hostile filters refused with a clear message (never a 500); a
Viewer cannot set them, another tenant can neither see nor set them; a change needs no new
Verify."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Tenant
from integrations.models import Integration, State
from tests.support.exports import active
from tests.support.integrations import form_data, make_integration

pytestmark = pytest.mark.django_db
API = "/api/v1/integrations"
T0 = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
FILTERS = [
    {"column": "advertiser_id", "op": "in", "values": [12, 34]},
    {"column": "event_type", "op": "eq", "value": "imp"},
    {"column": "site_domain", "op": "not_in", "values": ["a, b", "x' OR '1'='1"]},
    {"column": "is_learn", "op": "ne", "value": True},
]


def _body(**config: Any) -> dict[str, Any]:
    return {
        "name": "std", "feed": "standard_feed", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "eu-west-1", "manifest_path": "/m",
                   "feed_path": "/f/%TIMESTAMP%", "format": "avro", "compression": "NONE",
                   "notification_emails": ["a@acme.example"], **config},
        "secrets": {"access_key": "AKIAEXAMPLE0000000001", "secret_key": "s" * 40},
    }  # fmt: skip


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_the_api_keeps_and_shows_the_filter_as_sent(admin_api: Client) -> None:
    created = _send(admin_api, "post", API, _body(filters=FILTERS))
    assert created.status_code == 201, created.content
    assert created.json()["config"]["filters"] == FILTERS
    shown = admin_api.get(f"{API}/{created.json()['id']}").json()
    assert shown["config"]["filters"] == FILTERS
    other_paths = _body(manifest_path="/m2", feed_path="/f2/%TIMESTAMP%")
    unfiltered = _send(admin_api, "post", API, {**other_paths, "name": "all rows"})
    assert unfiltered.status_code == 201, unfiltered.content
    assert unfiltered.json()["config"]["filters"] == []


def test_the_page_shows_the_filter_and_configure_edits_it_as_lines(
    admin_client: Client, tenant: Tenant
) -> None:
    integration = make_integration(tenant, "s3", "clicks",
                                   filters="advertiser_id in 12, 34\ncountry ne US")  # fmt: skip
    assert integration.config["filters"] == [
        {"column": "advertiser_id", "op": "in", "values": [12, 34]},
        {"column": "country", "op": "ne", "value": "US"},
    ]
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert "Row filters" in page and "advertiser_id in 12, 34 AND country ne US" in page
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/configure/"
    form = admin_client.get(url).content.decode()
    assert "advertiser_id in 12, 34\ncountry ne US</textarea>" in form


def test_a_filter_change_is_audited_and_needs_no_new_verify(
    admin_api: Client, tenant: Tenant
) -> None:
    integration = active(tenant, "s3", "standard_feed", T0, bucket="acme-exports",
                         filters="event_type eq imp")  # fmt: skip
    changed = _send(admin_api, "patch", f"{API}/{integration.pk}", {"config": {"filters": FILTERS}})
    assert changed.status_code == 200, changed.content
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE and integration.config["filters"] == FILTERS
    entry = AuditEntry.objects.filter(action="integration.updated").latest("id")
    assert entry.changes["filters"] == {
        "old": [{"column": "event_type", "op": "eq", "value": "imp"}],
        "new": FILTERS,
    }
    cleared = _send(admin_api, "patch", f"{API}/{integration.pk}", {"config": {"filters": []}})
    assert cleared.json()["config"]["filters"] == []


HOSTILE: dict[str, tuple[Any, str]] = {
    "sql-text": ("advertiser_id = 5 OR 1=1", "Expected a list"),
    "number-as-text": (
        [{"column": "advertiser_id", "op": "in", "values": ["12"]}],
        "whole numbers",
    ),
    "number-for-a-bool": ([{"column": "is_learn", "op": "eq", "value": 1}], "true or false"),
    "bool-for-a-number": (
        [{"column": "advertiser_id", "op": "eq", "value": True}],
        "whole numbers",
    ),
    "past-int32": ([{"column": "advertiser_id", "op": "eq", "value": 2**31}], "whole numbers"),
    "object-value": ([{"column": "advertiser_id", "op": "eq", "value": {"$gt": 0}}], "whole"),
    "null-value": ([{"column": "event_type", "op": "eq", "value": None}], "text values"),
    "unknown-column": ([{"column": "1; DROP TABLE x", "op": "eq", "value": 1}], "unknown column"),
    "stored-not-published": ([{"column": "tenant_id", "op": "eq", "value": 1}], "unknown column"),
    "timestamp-column": ([{"column": "event_time", "op": "eq", "value": "x"}], "unknown column"),
    "decimal-column": ([{"column": "price_cpm", "op": "eq", "value": "1"}], "unknown column"),
    "unknown-op": ([{"column": "advertiser_id", "op": "like", "value": 1}], "op must be one of"),
    "sql-op": ([{"column": "advertiser_id", "op": "= 1 OR", "value": 1}], "op must be one of"),
    "extra-key": (
        [{"column": "advertiser_id", "op": "eq", "value": 1, "sql": "1=1"}],
        "unexpected",
    ),
    "value-for-in": ([{"column": "advertiser_id", "op": "in", "value": 1}], "takes “values”"),
    "empty-list": ([{"column": "advertiser_id", "op": "in", "values": []}], "non-empty list"),
    "huge-list": ([{"column": "advertiser_id", "op": "in", "values": list(range(501))}], "500"),
    "too-many": ([{"column": "advertiser_id", "op": "eq", "value": n} for n in range(11)], "10"),
    "too-long": ([{"column": "event_type", "op": "eq", "value": "x" * 17}], "at most 16"),
    "nul": ([{"column": "site_domain", "op": "eq", "value": "a\x00b"}], "printable"),
    "surrogate": ([{"column": "site_domain", "op": "eq", "value": "\ud800"}], "printable"),
    "not-an-object": (["advertiser_id"], "Expected a dictionary"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_api_refuses_a_bad_or_hostile_filter_clearly(admin_api: Client, name: str) -> None:
    filters, message = HOSTILE[name]
    answer = _send(admin_api, "post", API, _body(filters=filters))
    assert answer.status_code == 400, answer.content
    assert message in json.dumps(answer.json()["config"]["filters"], ensure_ascii=False)
    assert not Integration.objects.exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("advertiser_id in 12, abc", "whole numbers"),
        ("advertiser_id in 1) OR (1=1", "whole numbers"),
        ("country like US", "op must be one of"),
        ("nope eq 1", "unknown column"),
        ("country eq", "write “column op value”"),
        ("country eq US, FR", "one value; use in for several"),
        ("\n".join(f"country ne C{n}" for n in range(11)), "At most 10"),
        ("is_unique eq yes", "true or false"),
    ],
)
def test_the_form_refuses_a_bad_filter_next_to_the_field(
    admin_client: Client, tenant: Tenant, lines: str, message: str
) -> None:
    response = admin_client.post(
        f"/t/{tenant.slug}/integrations/new/s3/clicks/", form_data("s3", "clicks", filters=lines)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["filters"])
    assert not Integration.objects.exists()


def test_a_viewer_cannot_set_a_filter_and_another_tenant_neither_sees_nor_sets_it(
    tenant: Tenant, viewer_api: Client, outsider_api: Client, outsider_client: Client
) -> None:
    integration = make_integration(tenant, "s3", "clicks", filters="country eq US")
    url, change = f"{API}/{integration.pk}", {"config": {"filters": list[Any]()}}
    assert _send(viewer_api, "patch", url, change).status_code == 403
    assert outsider_api.get(url).status_code == 404
    assert _send(outsider_api, "patch", url, change).status_code == 404
    assert outsider_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").status_code in (
        403,
        404,
    )
    integration.refresh_from_db()
    assert integration.config["filters"] == [{"column": "country", "op": "eq", "value": "US"}]


def test_the_page_previews_the_keys_and_the_api_shows_the_layout(
    tenant: Tenant, admin_client: Client, admin_api: Client
) -> None:
    hive = active(tenant, "s3", "clicks", T0, bucket="not-contacted", layout="hive")
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{hive.pk}/").content.decode()
    assert "/exports/clicks/dt={YYYY-MM-DD}/hour={hh}/{YYYY-MM-DD-hh-mm}.csv.gz" in page
    assert "Hive-style partitions" in page
    assert admin_api.get(f"/api/v1/integrations/{hive.pk}").json()["config"]["layout"] == "hive"
    old = active(tenant, "s3", "conversions", T0, bucket="not-contacted")
    Integration.objects.filter(pk=old.pk).update(
        config={k: v for k, v in old.config.items() if k != "layout"}
    )
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{old.pk}/").content.decode()
    assert "/exports/conversions/{YYYY}/{MM}/{DD}/{YYYY-MM-DD-hh-mm}.csv.gz" in page
    assert admin_api.get(f"/api/v1/integrations/{old.pk}").json()["config"]["layout"] == "ymd"


def test_an_unknown_layout_is_refused_and_log_level_feeds_take_none(
    tenant: Tenant, admin_api: Client
) -> None:
    errors = make_integration(tenant, "s3", "clicks", layout="hive'; --")
    assert "layout" in errors and "not one of the available choices" in str(errors["layout"])
    body = {
        "name": "std", "feed": "standard_feed", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "eu-west-1", "manifest_path": "/m",
                   "feed_path": "/f/%TIMESTAMP%", "format": "avro", "compression": "NONE",
                   "notification_emails": ["a@acme.example"], "layout": "hive"},
        "secrets": {"access_key": "AKIAEXAMPLE0000000001", "secret_key": "s" * 40},
    }  # fmt: skip
    answer = admin_api.post("/api/v1/integrations", body, content_type="application/json")
    assert answer.status_code == 400
    assert "Not used by" in answer.json()["config"]["layout"][0]


def test_saving_an_integration_from_before_layouts_and_filters_records_no_change(
    tenant: Tenant, admin_client: Client
) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    before = {k: v for k, v in integration.config.items() if k not in ("layout", "filters")}
    Integration.objects.filter(pk=integration.pk).update(config=before)
    data = form_data("s3", "clicks", access_key="", secret_key="", name="Renamed")
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/configure/"
    assert admin_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.filter(action="integration.updated").latest("id")
    assert entry.changes == {"name": {"old": "s3 clicks", "new": "Renamed"}}
