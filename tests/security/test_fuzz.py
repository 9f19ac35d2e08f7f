"""Every validator and parser, fed arbitrary input: each answers with its own clear error or a
value, never another exception. FUZZ_EXAMPLES sets the examples per test (make fuzz: 10 000)."""

from __future__ import annotations

import datetime
import json
import os
import string
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporthub.outbound import addresses as outbound_addresses
from feeds.ingestion.parsing import parse_events
from feeds.runs.manifests import parse as parse_manifest
from integrations.catalog import FEEDS, FeedKind
from integrations.destinations.azure import sas
from integrations.destinations.azure import validators as azure_names
from integrations.destinations.gcs import key as gcs_key
from integrations.destinations.gcs import validators as gcs_names
from integrations.destinations.s3 import endpoints
from integrations.destinations.s3 import validators as s3_names
from integrations.validation import contacts, export_paths

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
NAME_VALIDATORS = [
    s3_names.validate_s3_bucket,
    gcs_names.validate_gcs_bucket,
    azure_names.validate_azure_account,
    azure_names.validate_azure_container,
    s3_names.validate_kms_key,
    s3_names.validate_role_arn,
    lambda v: s3_names.validate_s3_region(v, custom_endpoint=False),
    lambda v: s3_names.validate_s3_region(v, custom_endpoint=True),
    contacts.clean_email_list,
    gcs_key.parse_service_account_key,
    lambda v: export_paths.clean_path(
        v, macros_allowed=True, require_timestamp=True, tail_bytes=80
    ),
    lambda v: export_paths.clean_path(v, macros_allowed=False, tail_bytes=40),
    lambda v: sas.parse_sas_token(v, FeedKind.RAW),
    lambda v: sas.parse_sas_token(v, FeedKind.LOG_LEVEL),
    sas.check_not_expired,
]


def _accepts_or_explains(validator: Any, value: str) -> None:
    try:
        validator(value)
    except ValidationError as error:
        assert error.messages and all(m.strip() for m in error.messages)


@pytest.mark.parametrize("validator", NAME_VALIDATORS)
@fuzz
@given(value=st.text(max_size=300))
def test_validators_answer_any_text_with_a_value_or_a_message(validator: Any, value: str) -> None:
    _accepts_or_explains(validator, value)


SAS_KEYS = ["sv", "ss", "srt", "sp", "se", "st", "spr", "sig", "sr", "sip"]


@fuzz
@given(
    params=st.dictionaries(
        st.sampled_from(SAS_KEYS),
        st.text(alphabet=string.ascii_letters + string.digits + ":-TZ+/=%&", max_size=30),
    ),
    kind=st.sampled_from(list(FeedKind)),
)
def test_sas_tokens_shaped_like_real_ones(params: dict[str, str], kind: FeedKind) -> None:
    _accepts_or_explains(lambda v: sas.parse_sas_token(v, kind), urlencode(params))


@fuzz
@given(
    fields=st.dictionaries(
        st.sampled_from(["type", "project_id", "private_key", "client_email", "token_uri"]),
        JSON,
    )
)
def test_service_account_keys_shaped_like_real_ones(fields: dict[str, Any]) -> None:
    _accepts_or_explains(gcs_key.parse_service_account_key, json.dumps(fields))


@fuzz
@given(url=st.text(max_size=120) | st.builds("https://{}".format, st.text(max_size=60)))
def test_endpoint_urls(url: str) -> None:
    # Resolution is the network's business; here every name resolves to a public address.
    with mock.patch.object(outbound_addresses, "resolve", return_value=["198.51.100.7"]):
        _accepts_or_explains(endpoints.clean_endpoint_url, url)


@pytest.mark.parametrize("feed", sorted(FEEDS))
@fuzz
@given(body=st.binary(max_size=400))
def test_ingestion_parser_on_arbitrary_bytes(feed: str, body: bytes) -> None:
    rows, errors = parse_events(feed, body)
    assert rows or errors


@pytest.mark.parametrize("feed", sorted(FEEDS))
@fuzz
@given(
    items=st.lists(JSON, max_size=5),
    objects=st.lists(st.dictionaries(st.text(max_size=20), JSON), max_size=5),
)
def test_ingestion_parser_on_arbitrary_json(
    feed: str, items: list[Any], objects: list[dict[str, Any]]
) -> None:
    for body, count in (
        (json.dumps(items), len(items)),
        (json.dumps(objects), len(objects)),
        ("\n".join(json.dumps(item) for item in objects), len(objects)),
    ):
        rows, errors = parse_events(feed, body.encode())
        assert all(error.line >= 0 and error.message for error in errors)
        assert errors or len(rows) == count > 0  # all stored, or none and every reason given


@fuzz
@given(body=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_manifest_reader_on_whatever_a_bucket_holds(body: bytes) -> None:
    document = parse_manifest(body)
    assert document is None or isinstance(document["files"], list)


def test_a_manifest_a_tenant_nested_past_the_recursion_limit_reads_as_not_ours() -> None:
    deep = b'{"path": "/x", "files": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert parse_manifest(deep) is None


OFFSETS = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
ANY_TIME = st.datetimes(
    min_value=datetime.datetime(1, 1, 1),
    max_value=datetime.datetime(9999, 12, 31, 23, 59, 59),
    timezones=OFFSETS,
)
DB_FUZZ = settings(
    parent=fuzz,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@fuzz
@given(when=ANY_TIME)
def test_ingestion_times_in_any_offset_are_stored_in_utc_or_refused(when: Any) -> None:
    """The class of 9999-12-31T23:59:59-14:00: valid in its offset, past the calendar in UTC."""
    click = {"click_id": "c", "event_time": when.isoformat(), "offer_id": 1, "affiliate_id": 1,
             "advertiser_id": 1, "ip": "203.0.113.1", "country": "DE", "device_type": "phone",
             "os": "Android", "browser": "Chrome", "is_unique": True, "cost": "1",
             "currency": "EUR"}  # fmt: skip
    rows, errors = parse_events("clicks", json.dumps([click]).encode())
    assert rows or errors
    for error in errors:
        assert error.field == "event_time" and "out of range" in error.message
    for row in rows:
        stored = row[1]
        assert stored.utcoffset() == datetime.timedelta(0)  # what the database gets


@pytest.mark.django_db
@settings(
    parent=fuzz, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(hour=ANY_TIME)
def test_any_reprocessing_hour_is_accepted_or_refused_with_a_reason(tenant: Any, hour: Any) -> None:
    from feeds.runs.on_demand.reprocessing import ReprocessingRefused, check
    from integrations.models import Integration, State
    from tests.support.integrations import make_integration

    integration = Integration.objects.filter(tenant=tenant).first() or make_integration(
        tenant, "s3", "standard_feed"
    )
    Integration.objects.filter(pk=integration.pk).update(
        state=State.ACTIVE, exports_from=datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC)
    )
    integration.refresh_from_db()
    now = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)
    try:
        check(integration, hour, now)
    except ReprocessingRefused as refusal:
        assert str(refusal)
