"""SAS tokens, service-account keys, Endpoint URLs and notification emails."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from integrations.catalog import FeedKind
from integrations.destinations.azure.sas import parse_sas_token
from integrations.destinations.gcs.key import parse_service_account_key
from integrations.destinations.s3.endpoints import clean_endpoint_url
from integrations.validation.contacts import clean_email_list
from tests.integrations.destinations.azure.credentials import sas_token
from tests.integrations.destinations.gcs.credentials import service_account_key

NOW = datetime.now(UTC)


def _sig(token: str) -> str:
    return dict(part.split("=", 1) for part in token.split("&"))["sig"]


def test_it_accepts_a_sas_token_made_as_seed_004_says() -> None:
    token = sas_token(permission="rwdlac", start=NOW - timedelta(hours=1))
    parsed = parse_sas_token("?" + token + "\n", FeedKind.LOG_LEVEL)
    assert parsed.raw == "?" + token
    assert parsed.expires_at > NOW


def test_it_asks_raw_feeds_only_for_what_their_export_uses() -> None:
    parse_sas_token(sas_token(permission="rwd"), FeedKind.RAW)
    with pytest.raises(ValidationError, match="must include List, Add, Create"):
        parse_sas_token(sas_token(permission="rwd"), FeedKind.LOG_LEVEL)


@pytest.mark.parametrize(
    ("token_args", "message"),
    [
        ({"permission": "rwlac"}, "must include Delete"),
        ({"permission": "racwdl", "resource_types": "o"}, "Container and Object"),
        ({"resource_types": "c"}, "Container and Object"),
        ({"services": "f"}, "Blob"),
        ({"protocol": "https,http"}, "HTTPS only"),
        ({"expiry": NOW - timedelta(minutes=1)}, "expired"),
        ({"start": NOW + timedelta(days=1)}, "not valid yet"),
    ],
)
def test_it_rejects_sas_tokens_that_cannot_do_the_export(
    token_args: dict[str, Any], message: str
) -> None:
    token = sas_token(**token_args)
    with pytest.raises(ValidationError, match=message) as caught:
        parse_sas_token(token, FeedKind.LOG_LEVEL)
    assert _sig(token) not in str(caught.value)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not a token", "Paste the SAS token"),
        ("sv=2022-11-02&ss=b&srt=co&sp=rwdlac", "se, spr, sig missing"),
        ("sv=2022-11-02&sr=c&sp=rwdl&se=2099-01-01&sig=abc", "service SAS"),
        ("sv=1&ss=b&srt=co&sp=rwdlac&se=tomorrow&spr=https&sig=abc", "not an ISO 8601"),
    ],
)
def test_it_explains_malformed_sas_tokens(token: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_sas_token(token, FeedKind.LOG_LEVEL)


@given(st.text(max_size=200))
def test_it_answers_any_pasted_text_with_a_validation_error_at_worst(text: str) -> None:
    with suppress(ValidationError):
        parse_sas_token(text, FeedKind.LOG_LEVEL)


FIELD_VALUES = st.text(alphabet="abcdeflrwcop0123456789-:TZ,", max_size=25)


@given(
    st.dictionaries(st.sampled_from(["sv", "ss", "srt", "sp", "se", "st", "spr"]), FIELD_VALUES),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%", min_size=12, max_size=60),
)
def test_it_never_echoes_the_signature(fields: dict[str, str], sig: str) -> None:
    token = "&".join(f"{k}={v}" for k, v in {**fields, "sig": sig}.items())
    try:
        parse_sas_token(token, FeedKind.LOG_LEVEL)
    except ValidationError as exc:
        assert sig not in " ".join(exc.messages)


def test_it_reads_a_service_account_key() -> None:
    key = parse_service_account_key(service_account_key())
    assert key.client_email == "exporter@acme-data.iam.gserviceaccount.com"


def _with(**changes: Any) -> Callable[[str], str]:
    return lambda key: json.dumps({**json.loads(key), **changes})


def _without(field: str) -> Callable[[str], str]:
    return lambda key: json.dumps({k: v for k, v in json.loads(key).items() if k != field})


BROKEN_PEM = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda key: "{not json", "valid JSON"),
        (_with(type="authorized_user"), "not a service-account"),
        (_with(private_key=""), "lacks private_key"),
        (_without("client_email"), "lacks client_email"),
        (_with(private_key=BROKEN_PEM), "cannot be read"),
        (lambda key: "[]", "not a service-account"),
    ],
)
def test_it_rejects_malformed_service_account_keys(
    mutate: Callable[[str], str], message: str
) -> None:
    raw = mutate(service_account_key())
    with pytest.raises(ValidationError, match=message) as caught:
        parse_service_account_key(raw)
    assert "BEGIN PRIVATE KEY" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [("https://8.8.8.8", "https://8.8.8.8"), ("https://8.8.8.8:9000/", "https://8.8.8.8:9000")],
)
def test_it_accepts_https_endpoints_on_public_addresses(url: str, canonical: str) -> None:
    assert clean_endpoint_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://8.8.8.8", "must use https"),
        ("https://user:pw@8.8.8.8", "credentials"),
        ("https://8.8.8.8/bucket", "without a path"),
        ("https://127.0.0.1", "private, loopback"),
        ("https://localhost", "private, loopback"),
        ("https://10.1.2.3", "private, loopback"),
        ("https://169.254.169.254", "private, loopback"),
        ("https://[::1]", "private, loopback"),
        ("https://[::ffff:127.0.0.1]", "private, loopback"),
        ("https://[::ffff:169.254.169.254]", "private, loopback"),
        ("https://0.0.0.0", "private, loopback"),
        ("https://240.0.0.1", "private, loopback"),
        ("https://no-such-host.invalid", "could not be resolved"),
        ("https://[zz::1]", "Enter a URL"),
        ("https://8.8.8.8:99999", "Enter a URL"),
    ],
)
def test_it_rejects_endpoints_that_could_reach_inside(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        clean_endpoint_url(url)


def test_it_rejects_a_name_that_resolves_to_a_private_address() -> None:
    with (
        mock.patch(
            "exporthub.outbound.addresses.resolve",
            return_value=["93.184.216.34", "10.0.0.5"],
        ),
        pytest.raises(ValidationError, match="private"),
    ):
        clean_endpoint_url("https://storage.example.com")


@override_settings(ENDPOINT_URL_ALLOWED_HOSTS=["minio.internal"])
def test_it_lets_the_operator_allow_a_private_host() -> None:
    assert clean_endpoint_url("https://minio.internal:9000") == "https://minio.internal:9000"


def test_it_splits_and_checks_notification_emails() -> None:
    assert clean_email_list(" a@x.example, b@y.example ,, A@x.example") == [
        "a@x.example",
        "b@y.example",
    ]
    with pytest.raises(ValidationError, match="'nope' is not a valid email"):
        clean_email_list("a@x.example, nope")
    with pytest.raises(ValidationError, match="at least one"):
        clean_email_list(" , ")
    with pytest.raises(ValidationError, match="at most 20"):
        clean_email_list(",".join(f"u{i}@x.example" for i in range(21)))
