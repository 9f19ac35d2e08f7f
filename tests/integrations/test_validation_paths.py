"""Directory, Manifest path and Feed path validation and canonical form."""

from __future__ import annotations

from contextlib import suppress
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from integrations.validation.export_paths import FEED_TAIL_BYTES, MANIFEST_TAIL_BYTES, clean_path

feed_path = partial(
    clean_path, macros_allowed=True, require_timestamp=True, tail_bytes=FEED_TAIL_BYTES
)
manifest_path = partial(clean_path, macros_allowed=False, tail_bytes=MANIFEST_TAIL_BYTES)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("/manifests", "/manifests"),
        ("manifests/", "/manifests"),
        ("/", "/"),
        ("/a/b=1/c.d", "/a/b=1/c.d"),
        ("  /exports/clicks  ", "/exports/clicks"),
    ],
)
def test_it_canonicalises_paths(raw: str, canonical: str) -> None:
    assert manifest_path(raw) == canonical


def test_it_accepts_the_seed_example_feed_path() -> None:
    path = "/feeds/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%"
    assert feed_path(path) == path


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter a path"),
        ("/a//b", "Empty path segments"),
        ("/a/../b", "'..'"),
        ("/a/./b", "'.'"),
        ("/a b", "Use letters"),
        ("/a\\b", "Use letters"),
        ("/a?b", "Use letters"),
        ("/manifests/%YEAR%", "does not support macros"),
        ("/x/%BOGUS%", "Unknown macro %BOGUS%"),
        ("/x/50%", "Stray '%'"),
        ("/" + "a" * 1000, "exceed 1024 bytes"),
    ],
)
def test_it_rejects_bad_manifest_paths(raw: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        manifest_path(raw)


def test_it_requires_timestamp_in_feed_paths() -> None:
    with pytest.raises(ValidationError, match="%TIMESTAMP% is required"):
        feed_path("/feeds/%YEAR%/%MONTH%")


def test_it_counts_expanded_macros_towards_the_key_length() -> None:
    # 839 bytes as typed, 1049 once each %TIMESTAMP% becomes 14 digits.
    path = "/" + "/".join(["%TIMESTAMP%"] * 70)
    assert len(path) < 1024
    with pytest.raises(ValidationError, match="exceed"):
        feed_path(path)


@given(st.text(max_size=80))
def test_it_never_fails_other_than_with_a_validation_error(raw: str) -> None:
    with suppress(ValidationError):
        feed_path(raw)


@given(st.text(alphabet="ab/.%_-=TIMESAP", max_size=40))
def test_it_returns_canonical_paths_that_clean_to_themselves(raw: str) -> None:
    try:
        canonical = feed_path(raw)
    except ValidationError:
        return
    assert canonical.startswith("/")
    assert "//" not in canonical
    assert not canonical.endswith("/") or canonical == "/"
    assert ".." not in canonical.split("/")
    assert feed_path(canonical) == canonical
