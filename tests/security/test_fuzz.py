"""Every validator and parser, fed arbitrary input: each answers with its own clear error or a
value, never another exception. FUZZ_EXAMPLES sets the examples per test (make fuzz: 10 000)."""

from __future__ import annotations

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

from feeds.catalog import FEEDS, FeedKind
from feeds.ingest import parse_events
from feeds.manifests import parse as parse_manifest
from integrations.validation import buckets, contacts, endpoints, gcs_key, paths, sas

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
NAME_VALIDATORS = [
    buckets.validate_s3_bucket,
    buckets.validate_gcs_bucket,
    buckets.validate_azure_account,
    buckets.validate_azure_container,
    buckets.validate_kms_key,
    buckets.validate_role_arn,
    lambda v: buckets.validate_s3_region(v, custom_endpoint=False),
    lambda v: buckets.validate_s3_region(v, custom_endpoint=True),
    contacts.clean_email_list,
    gcs_key.parse_service_account_key,
    lambda v: paths.clean_path(v, macros_allowed=True, require_timestamp=True, tail_bytes=80),
    lambda v: paths.clean_path(v, macros_allowed=False, tail_bytes=40),
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
    with mock.patch.object(endpoints, "resolve_addresses", return_value=["198.51.100.7"]):
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
