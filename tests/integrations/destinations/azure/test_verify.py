"""Verify against Azurite over HTTPS, which really checks SAS signatures, permissions and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exporthub.tenancy.models import Tenant
from integrations.catalog import FEEDS, FeedKind
from integrations.destinations.azure import AzureBlobDestination
from integrations.destinations.base import DestinationError
from integrations.models import Integration, State
from tests.integrations.destinations.azure.standin import Azurite
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

from .standin import ACCOUNT, azure_blobs, azure_container, azure_sas

pytestmark = pytest.mark.django_db


def _integration(
    tenant: Tenant, feed: str, container: str, token: str | None = None
) -> Integration:
    permission = "rwdlac" if FEEDS[feed].kind == FeedKind.LOG_LEVEL else "rwd"
    return make_integration(
        tenant, "azure", feed, storage_account=ACCOUNT, container=container,
        sas_token=token or azure_sas(permission=permission),
    )  # fmt: skip


def _store_token(integration: Integration, token: str) -> None:
    """A token that passed the form once but is no longer what the export needs."""
    integration.set_secrets({"sas_token": token}, {"sas_token": "…"})
    integration.save()


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_passes_with_the_seed_004_sas(azure_env: Azurite, tenant: Tenant, feed: str) -> None:
    container = azure_container()
    integration = _integration(tenant, feed, container)
    verification = verify(integration)
    assert verification.state == "passed", failed_step(verification)
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    assert azure_blobs(container) == []


def test_it_names_a_missing_container(azure_env: Azurite, tenant: Tenant) -> None:
    step = failed_step(verify(_integration(tenant, "clicks", azure_container(create=False))))
    assert (step["name"], step["code"]) == ("Container reachable", "ContainerNotFound")


def test_it_names_a_token_without_delete_and_list(azure_env: Azurite, tenant: Tenant) -> None:
    integration = _integration(tenant, "standard_feed", azure_container())
    _store_token(integration, azure_sas(permission="rwac"))
    step = failed_step(verify(integration))
    assert (step["name"], step["code"]) == ("Listing /manifests", "AuthorizationPermissionMismatch")
    assert "permissions listed on the integration page" in step["hint"]


def test_it_names_an_object_only_token(azure_env: Azurite, tenant: Tenant) -> None:
    integration = _integration(tenant, "clicks", azure_container())
    _store_token(integration, azure_sas(permission="rwd", resource_types="o"))
    step = failed_step(verify(integration))
    assert (step["name"], step["code"]) == (
        "Container reachable",
        "AuthorizationResourceTypeMismatch",
    )


def test_it_refuses_a_tampered_token(azure_env: Azurite, tenant: Tenant) -> None:
    integration = _integration(tenant, "clicks", azure_container())
    tampered = azure_sas(permission="rwd").replace("sig=", "sig=AAAA")
    _store_token(integration, tampered)
    step = failed_step(verify(integration))
    assert (step["name"], step["code"]) == ("Container reachable", "AuthorizationFailure")
    assert step["permanent"] is True
    assert tampered.split("sig=")[1] not in str(step)


def test_it_catches_an_expired_token_before_calling_azure(
    azure_env: Azurite, tenant: Tenant
) -> None:
    integration = _integration(tenant, "clicks", azure_container())
    _store_token(
        integration, azure_sas(permission="rwd", expiry=datetime.now(UTC) - timedelta(minutes=1))
    )
    step = failed_step(verify(integration))
    assert (step["name"], step["code"]) == (
        "Connecting to Microsoft Azure Blob Storage",
        "SasTokenInvalid",
    )
    assert "expired" in step["detail"]


def test_azurite_refuses_an_expired_token_as_bad_credentials(azure_env: Azurite) -> None:
    container = azure_container()
    expired = azure_sas(permission="rwd", expiry=datetime.now(UTC) - timedelta(minutes=1))
    connection = AzureBlobDestination.connect(
        {"storage_account": ACCOUNT, "container": container},
        {"sas_token": expired},
        external_id="",
        seat_id=1,
    )
    with pytest.raises(DestinationError) as caught:
        connection.check_reachable()
    assert (caught.value.code, caught.value.permanent) == ("AuthorizationFailure", True)
    assert expired.split("sig=")[1] not in caught.value.message
