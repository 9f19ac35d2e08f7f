"""Bucket, account and container names; region codes from botocore; KMS keys and role ARNs."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from integrations.destinations.azure.validators import (
    validate_azure_account,
    validate_azure_container,
)
from integrations.destinations.gcs.validators import validate_gcs_bucket
from integrations.destinations.s3.validators import (
    s3_regions,
    validate_kms_key,
    validate_role_arn,
    validate_s3_bucket,
    validate_s3_region,
)


@pytest.mark.parametrize("name", ["abc", "acme-exports", "my.bucket.name", "a" * 63, "1bucket9"])
def test_it_accepts_valid_s3_bucket_names(name: str) -> None:
    validate_s3_bucket(name)


@pytest.mark.parametrize(
    "name",
    [
        "ab", "a" * 64, "Acme", "acme_exports", "-acme", "acme-", "acme..exports", "acme.-x",
        "acme-.x", "192.168.1.1", "xn--acme", "sthree-acme", "amzn-s3-demo-x", "acme-s3alias",
        "acme--ol-s3", "acme.mrap", "acme--x-s3", "acme--table-s3", "acme exports", "",
    ],
)  # fmt: skip
def test_it_rejects_invalid_s3_bucket_names(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_s3_bucket(name)


S3_OK = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")


@given(st.text(alphabet=string.ascii_lowercase + string.digits + ".-_A", max_size=70))
def test_it_only_accepts_s3_names_that_follow_every_rule(name: str) -> None:
    try:
        validate_s3_bucket(name)
    except ValidationError:
        return
    assert 3 <= len(name) <= 63
    assert S3_OK.match(name)
    assert ".." not in name and ".-" not in name and "-." not in name
    assert not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name)


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{1,40})[a-z0-9]", fullmatch=True))
def test_it_accepts_every_plain_dns_style_s3_name(name: str) -> None:
    if name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3", "--x-s3")):
        return
    validate_s3_bucket(name)


@pytest.mark.parametrize("name", ["acme-exports", "acme_exports", "a.b.c", "x" * 63])
def test_it_accepts_valid_gcs_bucket_names(name: str) -> None:
    validate_gcs_bucket(name)


@pytest.mark.parametrize(
    "name", ["ab", "goog-bucket", "my-google-bucket", "g00gle-x", "UPPER", "10.0.0.1", "x" * 64]
)
def test_it_rejects_invalid_gcs_bucket_names(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_gcs_bucket(name)


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (
            validate_azure_account,
            ["abc", "acme2024exports", "a" * 24],
            ["ab", "a" * 25, "Acme", "acme-x"],
        ),
        (
            validate_azure_container,
            ["abc", "my-container", "a" * 63],
            ["ab", "a" * 64, "My", "my--container", "-abc", "abc-", "my_container"],
        ),
    ],
)  # fmt: skip
def test_it_applies_azure_naming_rules(
    validator: Callable[[str], None], good: list[str], bad: list[str]
) -> None:
    for name in good:
        validator(name)
    for name in bad:
        with pytest.raises(ValidationError):
            validator(name)


def test_it_takes_regions_from_botocore() -> None:
    import botocore.session

    regions = s3_regions()
    assert {"us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1"} <= regions
    assert set(botocore.session.get_session().get_available_regions("s3")) <= regions


@pytest.mark.parametrize("region", ["us-west-2", "ap-southeast-2", "cn-northwest-1"])
def test_it_accepts_aws_regions(region: str) -> None:
    validate_s3_region(region, custom_endpoint=False)


@pytest.mark.parametrize("region", ["us-west-9", "US-WEST-2", "moon-1", ""])
def test_it_rejects_unknown_regions(region: str) -> None:
    with pytest.raises(ValidationError):
        validate_s3_region(region, custom_endpoint=False)


def test_it_accepts_any_region_shape_for_s3_compatible_storage() -> None:
    validate_s3_region("auto", custom_endpoint=True)
    with pytest.raises(ValidationError):
        validate_s3_region("no spaces", custom_endpoint=True)


@pytest.mark.parametrize(
    "value",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-west-2:111122223333:alias/exports",
        "alias/exports",
    ],
)
def test_it_accepts_kms_key_forms(value: str) -> None:
    validate_kms_key(value)


@pytest.mark.parametrize(
    "value", ["1234", "arn:aws:kms:us-west-2:1111:key/abc", "alias/", "key/1234abcd", "alias/a b"]
)
def test_it_rejects_malformed_kms_keys(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_kms_key(value)


def test_it_checks_role_arns() -> None:
    validate_role_arn("arn:aws:iam::123456789012:role/exporthub-writer")
    for bad in ("arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/x", "role/x"):
        with pytest.raises(ValidationError):
            validate_role_arn(bad)
